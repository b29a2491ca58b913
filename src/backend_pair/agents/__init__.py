"""The agent loop, headless: agent files, the session that talks to Claude, its tools, checklist and compaction."""
