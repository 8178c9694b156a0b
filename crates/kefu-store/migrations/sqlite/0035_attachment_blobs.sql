-- 附件内容 — the bytes of attachments, stored once by their SHA-256: the company logo in
-- every signature, or a PDF forwarded ten times, is kept once however many tickets carry
-- it. An attachment (its name, type, message, quarantine) names its bytes by `sha256`; the
-- bytes go when the last attachment naming them goes, in that same transaction.
CREATE TABLE attachment_blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

-- Every attachment so far has its digest: the column has been NOT NULL since 0002 and every
-- writer filled it from the bytes it stored. The oldest copy of each file becomes its blob.
INSERT INTO attachment_blobs (sha256, size, data, created_at)
SELECT sha256, size, data, created_at FROM ticket_attachments
WHERE id IN (SELECT MIN(id) FROM ticket_attachments GROUP BY sha256);

-- The bytes leave the attachments, and an attachment may only name bytes that exist.
-- SQLite cannot add a foreign key in place, so the table is rebuilt under the same name and
-- ids (without the bytes). The evidence that points at attachments is checked when this
-- migration commits, by which time every attachment is back.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE ticket_attachments_before AS
SELECT id, ticket_id, message_id, filename, content_type, size, sha256, created_at,
    quarantined, is_inline
FROM ticket_attachments;
DROP TABLE ticket_attachments;
CREATE TABLE ticket_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    message_id INTEGER REFERENCES ticket_messages (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL REFERENCES attachment_blobs (sha256),
    created_at INTEGER NOT NULL,
    quarantined INTEGER NOT NULL DEFAULT 0,
    is_inline INTEGER NOT NULL DEFAULT 0
);
INSERT INTO ticket_attachments (id, ticket_id, message_id, filename, content_type, size,
    sha256, created_at, quarantined, is_inline)
SELECT id, ticket_id, message_id, filename, content_type, size, sha256, created_at,
    quarantined, is_inline
FROM ticket_attachments_before;
DROP TABLE ticket_attachments_before;
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id, id);
-- Whether any attachment still names a blob, asked whenever attachments are deleted.
CREATE INDEX ticket_attachments_sha256 ON ticket_attachments (sha256);
