-- Version 7: the undo log is read by ranges of its ids, without indexes.
--
-- Every log row belongs to the newest batch when it is written and batches are never deleted, so
-- the log is in batch order: a batch's rows are one range of ids, and the rows of later batches
-- are the ids after it (edits.py finds the range by bisecting the ids). The two indexes kept
-- for those two questions cost 1.2-1.6 s CPU of a 50,000-server import (150,000 logged inserts).
DROP INDEX undo_log_by_batch;
DROP INDEX undo_log_by_row;
