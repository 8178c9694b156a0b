-- 附件内容 — the bytes of attachments, stored once by their SHA-256: the company logo in
-- every signature, or a PDF forwarded ten times, is kept once however many tickets carry
-- it. An attachment (its name, type, message, quarantine) names its bytes by `sha256`; the
-- bytes go when the last attachment naming them goes, in that same transaction.
CREATE TABLE attachment_blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

-- Every attachment so far has its digest: the column has been NOT NULL since 0002 and every
-- writer filled it from the bytes it stored. The oldest copy of each file becomes its blob.
INSERT INTO attachment_blobs (sha256, size, data, created_at)
SELECT sha256, size, data, created_at FROM ticket_attachments
WHERE id IN (SELECT MIN(id) FROM ticket_attachments GROUP BY sha256);

-- The bytes leave the attachments (the space of the dropped copies is reused, and returned
-- to the system by the next VACUUM FULL), and an attachment may only name bytes that exist:
-- deleting a blob something still names fails instead of losing the file.
ALTER TABLE ticket_attachments DROP COLUMN data;
ALTER TABLE ticket_attachments
    ADD CONSTRAINT ticket_attachments_sha256_fkey
    FOREIGN KEY (sha256) REFERENCES attachment_blobs (sha256);
-- Whether any attachment still names a blob, asked whenever attachments are deleted.
CREATE INDEX ticket_attachments_sha256 ON ticket_attachments (sha256);
