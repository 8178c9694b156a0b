-- 售后照片 — the photos (or a short video) of the fault that come with an RMA: from the
-- staff who register it, from the customer asking in the portal, or added later. The bytes
-- are stored once by their SHA-256 in `attachment_blobs`, as ticket attachments are, and go
-- only when nothing names them any more.
CREATE TABLE rma_photos (
    id BIGSERIAL PRIMARY KEY,
    rma_id BIGINT NOT NULL REFERENCES rmas (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES attachment_blobs (sha256),
    by_user BIGINT REFERENCES users (id),
    -- Sent by the customer in the portal (no staff member added it).
    by_customer BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX rma_photos_rma ON rma_photos (rma_id, id);
CREATE INDEX rma_photos_sha256 ON rma_photos (sha256);
