"""The browser pages, served by the same app as the API: server-rendered (Jinja2, templates/) with
small islands of script (htmx and plain ES modules, static/js/) and ECharts for charts, the
libraries vendored in static/vendor/ (refresh_vendor.py). Each page module is one job:

- pages.py: the page rule (a role per page, login or 403 otherwise) and rendering;
- login.py: log in with a role key (a session cookie after that), log out;
- static_files.py: /static/…;
- home.py: the start page and its browser phone;
- console.py: the agent console (人工座席): the queue, a call's words, reading, brief and order form
  (its audio lines, taking a call over and listening in, are server/api/console_lines.py);
- desk.py: the unit desk (承办单位工作台): a unit's own orders, their detail, and its steps on them
  (desk_words.py: what it says, in Chinese);
- dashboard.py: the dashboard (数据看板) of rates, volumes, hot spots, surges and 每月一题 candidates.
- knowledge_admin.py: 知识管理, the admin's KB, catalogue and gazetteer: lists, search, item forms,
  retire and restore (knowledge_kinds.py: each kind's fields, forms and wording);
- knowledge_files.py: a kind as a whole file, imported (upload) or exported (download);
- knowledge_history.py: the knowledge's change log, overall and per change;
- knowledge_try.py: 试一试, what the seat would answer to a question, from which article and score.
"""
