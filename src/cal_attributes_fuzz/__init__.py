"""Contract fuzzing of the Cal.com attributes API: the spec, the generated client and a server."""
