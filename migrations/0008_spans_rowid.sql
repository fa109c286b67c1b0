-- spans becomes an ordinary rowid table. As a WITHOUT ROWID table, a row over ~1,000 bytes kept
-- only ~490 bytes on its page and spilled the rest to an overflow page of its own, so a 2.6 KB
-- span took 5.7 KB on disk; a rowid table keeps rows up to ~4 KB on their page. Same columns,
-- same (trace_id, span_id) identity.
CREATE TABLE spans_rowid (
    trace_id       TEXT    NOT NULL REFERENCES traces (trace_id) ON DELETE CASCADE,
    span_id        TEXT    NOT NULL,
    parent_span_id TEXT    NOT NULL DEFAULT '',
    name           TEXT    NOT NULL DEFAULT '',
    type           TEXT    NOT NULL DEFAULT '',
    status         TEXT    NOT NULL DEFAULT '',
    start_time_ns  INTEGER NOT NULL,
    end_time_ns    INTEGER,
    content        TEXT    NOT NULL,
    UNIQUE (trace_id, span_id)
);
INSERT INTO spans_rowid (trace_id, span_id, parent_span_id, name, type, status, start_time_ns, end_time_ns, content)
SELECT trace_id, span_id, parent_span_id, name, type, status, start_time_ns, end_time_ns, CAST(content AS TEXT) FROM spans;
DROP TABLE spans;
ALTER TABLE spans_rowid RENAME TO spans;
