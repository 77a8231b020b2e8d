"""The browser pages, served by the same app as the API: server-rendered (Jinja2, templates/) with
small islands of script (htmx and plain ES modules, static/js/) and ECharts for charts, the
libraries vendored in static/vendor/ (refresh_vendor.py). Each page module is one job:

- pages.py: the page rule (a role per page, login or 403 otherwise) and rendering;
- login.py: log in with a role key (a session cookie after that), log out;
- static_files.py: /static/…;
- home.py: the start page and its browser phone;
- knowledge_admin.py: 知识管理, the admin's KB, catalogue and gazetteer: lists, search, item forms,
  retire and restore (knowledge_kinds.py: each kind's fields, forms and wording);
- knowledge_files.py: a kind as a whole file, imported (upload) or exported (download);
- knowledge_history.py: the knowledge's change log, overall and per change;
- knowledge_try.py: 试一试, what the seat would answer to a question, from which article and score.
"""
