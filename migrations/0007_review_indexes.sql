-- The review loop's two lookups, kept independent of session size: a reviewer's unfinished
-- reservations, and the open items of a session in order.
CREATE INDEX item_reviews_open ON item_reviews (reviewer, item_id) WHERE state = 'IN_PROGRESS';
CREATE INDEX session_items_open ON session_items (labeling_session_id, position) WHERE state IN ('PENDING', 'IN_PROGRESS');
