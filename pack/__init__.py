"""The dispatch-meeting pack (季调度材料, PDF) and the monthly circulars (月通报, .docx),
made from the published warehouse as of a month, with the dashboard's figures, and kept."""

import logging

import streamlit.runtime.caching.cache_data_api  # noqa: F401  (makes its logger)

# Outside `streamlit run` (the command line, the benchmark) the dashboard's caches warn, once
# each, that there is no runtime: the pack does not use them, so the notice is only noise.
logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
