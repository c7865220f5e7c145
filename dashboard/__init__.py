"""The county leaders', analysts' and data officers' dashboard (Streamlit).

`app.py` is the entry point (`streamlit run dashboard/app.py`); `views/` holds the pages,
`data.py` is the one module that reads the warehouse.
"""
