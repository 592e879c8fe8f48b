"""A project app whose jobs the job tests enqueue, run, kill and schedule."""
