"""Writers' tools: the template and catalog checks, preview, drafts, status and the template browser."""
