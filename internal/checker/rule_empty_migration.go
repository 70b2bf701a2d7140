package checker

var emptyMigration = &Rule{
	ID:       "empty-migration",
	Category: Other, Severity: Info,
	Summary: "a migration file with no SQL statement",
	Why:     "an empty migration is usually a file whose content was forgotten; some tools (Diesel) refuse to run it",
	Fix:     "add the migration's statements or delete the file",
	Examples: []Example{
		{SQL: "-- nothing to do yet\n", Flagged: true},
		{SQL: "SELECT 1;\n"},
	},
	File: func(f *FileContext) []Finding {
		// An ORM migration that only runs code (Django's RunPython) renders
		// no SQL, and is not empty.
		if len(f.File.Statements) == 0 && len(f.Unjudged) == 0 {
			return []Finding{finding("the migration holds no SQL statement")}
		}
		return nil
	},
}
