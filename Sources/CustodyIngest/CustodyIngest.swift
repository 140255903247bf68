// The ingest pipeline; see shared/DESIGN.md "Data flow".
