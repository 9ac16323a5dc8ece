-- Task ids start at 1000000001, as in the original module (CRMs have seen such ids for years).
INSERT INTO sqlite_sequence (name, seq) SELECT 'tasks', 1000000000 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'tasks');
