-- Paging through an experiment's traces by time needs no sort when the index also holds the
-- trace id (the tie-breaker of every trace order); exports read dataset records in insertion order.
DROP INDEX traces_experiment_time;
CREATE INDEX traces_experiment_time ON traces (experiment_id, request_time DESC, trace_id);
CREATE INDEX dataset_records_order ON dataset_records (dataset_id, created_time);
