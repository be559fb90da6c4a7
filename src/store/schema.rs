//! Versioned schema migrations, applied in order inside transactions (`PRAGMA user_version`).

use super::{Result, StoreError};
use rusqlite::Connection;
use std::path::Path;

/// Each entry moves the schema from version N to N+1. Never edit a released entry.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: accounts, folders and message summaries
    r#"
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE folders (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        display TEXT NOT NULL,
        delimiter TEXT,
        special_use TEXT,
        uidvalidity INTEGER,
        uidnext INTEGER,
        highestmodseq INTEGER,
        server_total INTEGER,
        server_unread INTEGER,
        UNIQUE (account_id, name)
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        uid INTEGER NOT NULL,
        message_id TEXT,
        in_reply_to TEXT,
        refs TEXT,
        date INTEGER NOT NULL,
        from_name TEXT NOT NULL DEFAULT '',
        from_addr TEXT NOT NULL DEFAULT '',
        to_addrs TEXT NOT NULL DEFAULT '',
        cc_addrs TEXT NOT NULL DEFAULT '',
        subject TEXT NOT NULL DEFAULT '',
        flags INTEGER NOT NULL DEFAULT 0,
        size INTEGER NOT NULL DEFAULT 0,
        has_attachments INTEGER NOT NULL DEFAULT 0,
        path TEXT,
        UNIQUE (folder_id, uid)
    );
    CREATE INDEX messages_by_date ON messages(folder_id, date DESC, id DESC);
    CREATE INDEX messages_by_message_id ON messages(message_id);
    "#,
    // 2: unread counts kept up to date by triggers, so the folder pane never scans messages
    r#"
    CREATE TABLE folder_counts (
        folder_id INTEGER PRIMARY KEY REFERENCES folders(id) ON DELETE CASCADE,
        total INTEGER NOT NULL DEFAULT 0,
        unread INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO folder_counts(folder_id, total, unread)
        SELECT f.id,
               (SELECT count(*) FROM messages m WHERE m.folder_id = f.id),
               (SELECT count(*) FROM messages m WHERE m.folder_id = f.id AND (m.flags & 1) = 0)
        FROM folders f;
    CREATE TRIGGER folder_counts_new_folder AFTER INSERT ON folders BEGIN
        INSERT OR IGNORE INTO folder_counts(folder_id) VALUES (new.id);
    END;
    CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN
        UPDATE folder_counts SET total = total + 1, unread = unread + ((new.flags & 1) = 0)
        WHERE folder_id = new.folder_id;
    END;
    CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN
        UPDATE folder_counts SET total = total - 1, unread = unread - ((old.flags & 1) = 0)
        WHERE folder_id = old.folder_id;
    END;
    CREATE TRIGGER messages_count_flags AFTER UPDATE OF flags ON messages
    WHEN (old.flags & 1) != (new.flags & 1) BEGIN
        UPDATE folder_counts SET unread = unread + ((new.flags & 1) = 0) - ((old.flags & 1) = 0)
        WHERE folder_id = new.folder_id;
    END;
    "#,
    // 3: the offline queue of actions for the server, and folder subscriptions
    r#"
    CREATE TABLE pending_ops (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        op TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created INTEGER NOT NULL
    );
    CREATE INDEX pending_ops_by_account ON pending_ops(account_id, id);
    ALTER TABLE folders ADD COLUMN subscribed INTEGER NOT NULL DEFAULT 1;
    CREATE TRIGGER messages_count_move AFTER UPDATE OF folder_id ON messages
    WHEN old.folder_id != new.folder_id BEGIN
        UPDATE folder_counts SET total = total - 1, unread = unread - ((old.flags & 1) = 0)
        WHERE folder_id = old.folder_id;
        UPDATE folder_counts SET total = total + 1, unread = unread + ((old.flags & 1) = 0)
        WHERE folder_id = new.folder_id;
    END;
    "#,
    // 4: the POP3 UIDLs each account has downloaded, and when
    r#"
    CREATE TABLE pop3_uidls (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        uidl TEXT NOT NULL,
        downloaded INTEGER NOT NULL,
        message INTEGER,
        PRIMARY KEY (account_id, uidl)
    );
    "#,
    // 5: POP3 messages over max_message_size, stored headers-only until fetched whole
    r#"
    ALTER TABLE messages ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
    "#,
    // 6: outgoing mail waiting to be sent, or whose sending failed
    r#"
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        created INTEGER NOT NULL,
        state TEXT NOT NULL,
        error TEXT,
        envelope TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        sent BLOB NOT NULL,
        saved BLOB NOT NULL,
        answers INTEGER,
        forwards INTEGER
    );
    "#,
    // 7: queue entries are claimed before they are worked on, and Maildir files on their
    //    way in or out of a folder are written down first, so that recovery after a crash
    //    at any step knows what to finish and what to remove
    r#"
    ALTER TABLE pending_ops ADD COLUMN state TEXT NOT NULL DEFAULT 'queued';
    CREATE TABLE file_intents (
        path TEXT PRIMARY KEY,
        folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        action TEXT NOT NULL,
        message INTEGER,
        uidl TEXT,
        size INTEGER NOT NULL DEFAULT 0,
        partial INTEGER NOT NULL DEFAULT 0,
        flags INTEGER NOT NULL DEFAULT 0,
        date INTEGER NOT NULL DEFAULT 0
    );
    "#,
    // 8: message and Outbox ids are never given out twice (AUTOINCREMENT), so an id the UI
    //    or a send in flight holds can never name another message after its own is gone
    r#"
    CREATE TABLE messages_new (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        uid INTEGER NOT NULL,
        message_id TEXT,
        in_reply_to TEXT,
        refs TEXT,
        date INTEGER NOT NULL,
        from_name TEXT NOT NULL DEFAULT '',
        from_addr TEXT NOT NULL DEFAULT '',
        to_addrs TEXT NOT NULL DEFAULT '',
        cc_addrs TEXT NOT NULL DEFAULT '',
        subject TEXT NOT NULL DEFAULT '',
        flags INTEGER NOT NULL DEFAULT 0,
        size INTEGER NOT NULL DEFAULT 0,
        has_attachments INTEGER NOT NULL DEFAULT 0,
        path TEXT,
        partial INTEGER NOT NULL DEFAULT 0,
        UNIQUE (folder_id, uid)
    );
    INSERT INTO messages_new(id, folder_id, uid, message_id, in_reply_to, refs, date, from_name, from_addr,
        to_addrs, cc_addrs, subject, flags, size, has_attachments, path, partial)
        SELECT id, folder_id, uid, message_id, in_reply_to, refs, date, from_name, from_addr,
        to_addrs, cc_addrs, subject, flags, size, has_attachments, path, partial FROM messages;
    DROP TABLE messages;
    ALTER TABLE messages_new RENAME TO messages;
    CREATE INDEX messages_by_date ON messages(folder_id, date DESC, id DESC);
    CREATE INDEX messages_by_message_id ON messages(message_id);
    CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN
        UPDATE folder_counts SET total = total + 1, unread = unread + ((new.flags & 1) = 0)
        WHERE folder_id = new.folder_id;
    END;
    CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN
        UPDATE folder_counts SET total = total - 1, unread = unread - ((old.flags & 1) = 0)
        WHERE folder_id = old.folder_id;
    END;
    CREATE TRIGGER messages_count_flags AFTER UPDATE OF flags ON messages
    WHEN (old.flags & 1) != (new.flags & 1) BEGIN
        UPDATE folder_counts SET unread = unread + ((new.flags & 1) = 0) - ((old.flags & 1) = 0)
        WHERE folder_id = new.folder_id;
    END;
    CREATE TRIGGER messages_count_move AFTER UPDATE OF folder_id ON messages
    WHEN old.folder_id != new.folder_id BEGIN
        UPDATE folder_counts SET total = total - 1, unread = unread - ((old.flags & 1) = 0)
        WHERE folder_id = old.folder_id;
        UPDATE folder_counts SET total = total + 1, unread = unread + ((old.flags & 1) = 0)
        WHERE folder_id = new.folder_id;
    END;
    CREATE TABLE outbox_new (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        created INTEGER NOT NULL,
        state TEXT NOT NULL,
        error TEXT,
        envelope TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        sent BLOB NOT NULL,
        saved BLOB NOT NULL,
        answers INTEGER,
        forwards INTEGER
    );
    INSERT INTO outbox_new SELECT id, account_id, created, state, error, envelope, subject, sent, saved,
        answers, forwards FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_new RENAME TO outbox;
    "#,
    // 9: folders that only hold folders (\Noselect): never opened, synced or offered as a target
    r#"
    ALTER TABLE folders ADD COLUMN noselect INTEGER NOT NULL DEFAULT 0;
    "#,
    // 10: conversation threads. Every Message-ID an account has seen or been referred to
    //     maps to a thread (one not seen yet is a placeholder, so a thread never splits when
    //     a parent arrives late or comes back); a thread merged into another points to it.
    //     Summaries per thread and folder are kept by triggers, so a threaded list is an
    //     index read by latest activity; a thread's own size and latest date are counted
    //     along `messages_by_thread` when a merge or subject threading needs them, which
    //     keeps storing a row to one summary row. Rows from before this version have no
    //     thread yet: the account worker threads them in batches.
    r#"
    ALTER TABLE accounts ADD COLUMN thread_by_subject INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN thread_id INTEGER;
    CREATE INDEX messages_by_thread ON messages(thread_id, folder_id, date);
    CREATE TABLE threads (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        merged_into INTEGER,
        subject_key TEXT
    );
    CREATE INDEX threads_by_subject ON threads(account_id, subject_key) WHERE subject_key IS NOT NULL;
    CREATE INDEX threads_merged ON threads(merged_into) WHERE merged_into IS NOT NULL;
    CREATE TABLE thread_ids (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        message_id TEXT NOT NULL,
        thread_id INTEGER NOT NULL,
        PRIMARY KEY (account_id, message_id)
    ) WITHOUT ROWID;
    CREATE TABLE thread_folders (
        folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        thread_id INTEGER NOT NULL,
        latest INTEGER NOT NULL,
        total INTEGER NOT NULL,
        unread INTEGER NOT NULL,
        flagged INTEGER NOT NULL,
        attachments INTEGER NOT NULL,
        PRIMARY KEY (folder_id, thread_id)
    ) WITHOUT ROWID;
    CREATE INDEX thread_folders_by_latest ON thread_folders(folder_id, latest DESC, thread_id DESC);
    CREATE TRIGGER threads_insert AFTER INSERT ON messages WHEN new.thread_id IS NOT NULL BEGIN
        INSERT INTO thread_folders(folder_id, thread_id, latest, total, unread, flagged, attachments)
        VALUES (new.folder_id, new.thread_id, new.date, 1, (new.flags & 1) = 0, (new.flags & 4) != 0,
            new.has_attachments != 0)
        ON CONFLICT(folder_id, thread_id) DO UPDATE SET total = total + 1, unread = unread + excluded.unread,
            flagged = flagged + excluded.flagged, attachments = attachments + excluded.attachments,
            latest = CASE WHEN excluded.latest > latest THEN excluded.latest ELSE latest END;
    END;
    CREATE TRIGGER threads_delete AFTER DELETE ON messages WHEN old.thread_id IS NOT NULL BEGIN
        UPDATE thread_folders SET total = total - 1, unread = unread - ((old.flags & 1) = 0),
            flagged = flagged - ((old.flags & 4) != 0), attachments = attachments - (old.has_attachments != 0),
            latest = CASE WHEN old.date < latest THEN latest ELSE
                coalesce((SELECT max(date) FROM messages WHERE thread_id = old.thread_id AND folder_id = old.folder_id), 0) END
        WHERE folder_id = old.folder_id AND thread_id = old.thread_id;
        DELETE FROM thread_folders WHERE folder_id = old.folder_id AND thread_id = old.thread_id AND total <= 0;
    END;
    CREATE TRIGGER threads_update_old AFTER UPDATE OF thread_id, folder_id, flags, has_attachments, date ON messages
    WHEN old.thread_id IS NOT NULL AND (old.thread_id IS NOT new.thread_id OR old.folder_id != new.folder_id
        OR (old.flags & 5) != (new.flags & 5) OR old.has_attachments != new.has_attachments OR old.date != new.date)
    BEGIN
        UPDATE thread_folders SET total = total - 1, unread = unread - ((old.flags & 1) = 0),
            flagged = flagged - ((old.flags & 4) != 0), attachments = attachments - (old.has_attachments != 0),
            latest = CASE WHEN old.date < latest THEN latest ELSE
                coalesce((SELECT max(date) FROM messages WHERE thread_id = old.thread_id AND folder_id = old.folder_id), 0) END
        WHERE folder_id = old.folder_id AND thread_id = old.thread_id;
        DELETE FROM thread_folders WHERE folder_id = old.folder_id AND thread_id = old.thread_id AND total <= 0;
    END;
    CREATE TRIGGER threads_update_new AFTER UPDATE OF thread_id, folder_id, flags, has_attachments, date ON messages
    WHEN new.thread_id IS NOT NULL AND (old.thread_id IS NOT new.thread_id OR old.folder_id != new.folder_id
        OR (old.flags & 5) != (new.flags & 5) OR old.has_attachments != new.has_attachments OR old.date != new.date)
    BEGIN
        INSERT INTO thread_folders(folder_id, thread_id, latest, total, unread, flagged, attachments)
        VALUES (new.folder_id, new.thread_id, new.date, 1, (new.flags & 1) = 0, (new.flags & 4) != 0,
            new.has_attachments != 0)
        ON CONFLICT(folder_id, thread_id) DO UPDATE SET total = total + 1, unread = unread + excluded.unread,
            flagged = flagged + excluded.flagged, attachments = attachments + excluded.attachments,
            latest = CASE WHEN excluded.latest > latest THEN excluded.latest ELSE latest END;
    END;
    "#,
    // 11: full-text search (store/search.rs): a contentless FTS5 table keyed by message
    //     row id, kept with the rows; the messages stored before it are indexed by the
    //     account worker in the background, from `next` up to `last`
    r#"
    CREATE VIRTUAL TABLE search USING fts5(sender, recipients, cc, subject, body, attachments,
        content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');
    CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
        DELETE FROM search WHERE rowid = old.id;
    END;
    CREATE TABLE search_backlog (
        account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        next INTEGER NOT NULL,
        last INTEGER NOT NULL,
        done INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL
    );
    INSERT INTO search_backlog(account_id, next, last, total)
        SELECT f.account_id, min(m.id), max(m.id), count(*) FROM messages m JOIN folders f ON f.id = m.folder_id
        GROUP BY f.account_id;
    "#,
    // 12: each folder's number of threads, kept by triggers on its thread summaries, so a
    //     threaded list's length (and which end a window is nearer) is one row read.
    //     An upsert that updates a summary fires no insert trigger: only new rows count.
    r#"
    ALTER TABLE folder_counts ADD COLUMN threads INTEGER NOT NULL DEFAULT 0;
    UPDATE folder_counts SET threads = (SELECT count(*) FROM thread_folders t WHERE t.folder_id = folder_counts.folder_id);
    CREATE TRIGGER thread_folders_count_insert AFTER INSERT ON thread_folders BEGIN
        UPDATE folder_counts SET threads = threads + 1 WHERE folder_id = new.folder_id;
    END;
    CREATE TRIGGER thread_folders_count_delete AFTER DELETE ON thread_folders BEGIN
        UPDATE folder_counts SET threads = threads - 1 WHERE folder_id = old.folder_id;
    END;
    "#,
    // 13: the counts and thread summaries of new rows are added once per batch by the
    //     code that stores them (store/tally.rs), not by a trigger per row
    r#"
    DROP TRIGGER IF EXISTS messages_count_insert;
    DROP TRIGGER IF EXISTS threads_insert;
    "#,
];

/// Brings the database up to the latest schema.
pub(super) fn migrate(conn: &Connection, path: &Path) -> Result<()> {
    migrate_to(conn, path, MIGRATIONS.len())
}

/// Brings the database up to `target` (for tests of old versions). Each step runs in an
/// immediate transaction that reads the version again, so two processes opening a new or
/// old store at once migrate it once: the second waits, then finds the work done.
pub(super) fn migrate_to(conn: &Connection, path: &Path, target: usize) -> Result<()> {
    let known = MIGRATIONS.len() as i64;
    let version = |c: &Connection| c.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0));
    loop {
        let seen = version(conn)?;
        if seen > known {
            return Err(StoreError::TooNew { path: path.to_path_buf(), found: seen, known });
        }
        if seen as usize >= target {
            return Ok(());
        }
        let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
        let now = version(&tx)?;
        if now == seen {
            tx.execute_batch(MIGRATIONS[now as usize])?;
            tx.pragma_update(None, "user_version", now + 1)?;
        }
        tx.commit()?;
    }
}
