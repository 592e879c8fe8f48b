"""Languages, access levels, webservices, one-time token kinds, emailing records, error log."""
