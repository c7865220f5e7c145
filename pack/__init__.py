"""The dispatch-meeting pack (季调度材料, PDF) and the monthly circulars (月通报, .docx),
made from the published warehouse as of a month, with the dashboard's figures, and kept."""
