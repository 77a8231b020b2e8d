"""The browser pages, served by the same app as the API: server-rendered (Jinja2, templates/) with
small islands of script (htmx and plain ES modules, static/js/) and ECharts for charts, the
libraries vendored in static/vendor/ (refresh_vendor.py). Each page module is one job:

- pages.py: the page rule (a role per page, login or 403 otherwise) and rendering;
- login.py: log in with a role key (a session cookie after that), log out;
- static_files.py: /static/…;
- home.py: the start page and its browser phone;
- desk.py: the unit desk (承办单位工作台): a unit's own orders, their detail, and its steps on them
  (desk_words.py: what it says, in Chinese).
- dashboard.py: the dashboard (数据看板) of rates, volumes, hot spots, surges and 每月一题 candidates.
"""
