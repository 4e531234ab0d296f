"""Stored search vectors (PostgreSQL's `finnish` configuration) and trigram indexes for the
desk's, the portal's and the API's ticket search (tickets/search.py).

PostgreSQL only; SQLite searches by substring and needs none of this.

Each ticket carries two vectors: `search_vector` holds what the customer can read (subject,
description, device type, public messages) and `internal_search_vector` what only agents can
(internal notes, mail held for review). One row holds all of a ticket's words, so a search is
a condition on the ticket table alone: PostgreSQL either reads the matches from the GIN
indexes (a rare word) or walks the newest tickets and stops at the first page (a common one).

The columns are unknown to Django's models, so no list query carries them over the wire, and
they are kept by triggers, so every writer (intake, mail gateway, admin, a bulk load) keeps
them right. A message adds its words to its ticket's vector; an edited, released or deleted
message, or a changed subject, rebuilds that one ticket's vectors. A vector is capped at 1 MB
by PostgreSQL: a conversation that outgrows it keeps its words without their positions.

pg_trgm ships with PostgreSQL (contrib); creating the extension needs a role allowed to
(see README.md).
"""

from django.db import migrations

FORWARD = r"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE tickets_ticket ADD COLUMN search_vector tsvector;
ALTER TABLE tickets_ticket ADD COLUMN internal_search_vector tsvector;

CREATE FUNCTION tickets_words(body text, weight "char") RETURNS tsvector
LANGUAGE sql IMMUTABLE AS $$
    SELECT setweight(to_tsvector('finnish'::regconfig, coalesce(body, '')), weight)
$$;

-- a || b, or without positions when that would pass PostgreSQL's 1 MB limit.
CREATE FUNCTION tickets_words_join(a tsvector, b tsvector) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN coalesce(a, ''::tsvector) || b;
EXCEPTION WHEN program_limit_exceeded THEN
    BEGIN
        RETURN strip(coalesce(a, ''::tsvector)) || strip(b);
    EXCEPTION WHEN program_limit_exceeded THEN
        RETURN a;
    END;
END $$;

CREATE FUNCTION tickets_ticket_own_words(t tickets_ticket) RETURNS tsvector
LANGUAGE sql IMMUTABLE AS $$
    SELECT tickets_words(t.subject, 'A') || tickets_words(t.description, 'B')
        || tickets_words(t.device_type, 'C')
$$;

-- Every message of one ticket, public ones into the first vector and the rest into the second.
CREATE FUNCTION tickets_ticket_search_rebuild(ticket bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    public_words tsvector := ''::tsvector;
    internal_words tsvector := ''::tsvector;
    message record;
BEGIN
    FOR message IN
        SELECT body, visibility = 'public' AND NOT held_for_review AS public
        FROM tickets_message WHERE ticket_id = ticket ORDER BY id
    LOOP
        IF message.public THEN
            public_words := tickets_words_join(public_words, tickets_words(message.body, 'D'));
        ELSE
            internal_words := tickets_words_join(internal_words, tickets_words(message.body, 'D'));
        END IF;
    END LOOP;
    UPDATE tickets_ticket
    SET search_vector = tickets_words_join(tickets_ticket_own_words(tickets_ticket), public_words),
        internal_search_vector = internal_words
    WHERE id = ticket;
END $$;

CREATE FUNCTION tickets_ticket_search_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := tickets_ticket_own_words(NEW);
    NEW.internal_search_vector := ''::tsvector;
    RETURN NEW;
END $$;

CREATE FUNCTION tickets_ticket_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tickets_ticket_search_rebuild(NEW.id);
    RETURN NULL;
END $$;

CREATE FUNCTION tickets_message_search_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.visibility = 'public' AND NOT NEW.held_for_review THEN
        UPDATE tickets_ticket
        SET search_vector = tickets_words_join(search_vector, tickets_words(NEW.body, 'D'))
        WHERE id = NEW.ticket_id;
    ELSE
        UPDATE tickets_ticket
        SET internal_search_vector =
            tickets_words_join(internal_search_vector, tickets_words(NEW.body, 'D'))
        WHERE id = NEW.ticket_id;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION tickets_message_search_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.ticket_id <> NEW.ticket_id THEN
        PERFORM tickets_ticket_search_rebuild(NEW.ticket_id);
    END IF;
    PERFORM tickets_ticket_search_rebuild(OLD.ticket_id);
    RETURN NULL;
END $$;

CREATE TRIGGER tickets_ticket_search_insert BEFORE INSERT ON tickets_ticket
    FOR EACH ROW EXECUTE FUNCTION tickets_ticket_search_insert();
-- Django saves every column on a plain save(): rebuild only when the words changed.
CREATE TRIGGER tickets_ticket_search_update AFTER UPDATE ON tickets_ticket
    FOR EACH ROW WHEN (
        OLD.subject IS DISTINCT FROM NEW.subject
        OR OLD.description IS DISTINCT FROM NEW.description
        OR OLD.device_type IS DISTINCT FROM NEW.device_type
    ) EXECUTE FUNCTION tickets_ticket_search_update();
CREATE TRIGGER tickets_message_search_insert AFTER INSERT ON tickets_message
    FOR EACH ROW EXECUTE FUNCTION tickets_message_search_insert();
CREATE TRIGGER tickets_message_search_update AFTER UPDATE ON tickets_message
    FOR EACH ROW WHEN (
        OLD.body IS DISTINCT FROM NEW.body
        OR OLD.visibility IS DISTINCT FROM NEW.visibility
        OR OLD.held_for_review IS DISTINCT FROM NEW.held_for_review
        OR OLD.ticket_id IS DISTINCT FROM NEW.ticket_id
    ) EXECUTE FUNCTION tickets_message_search_change();
CREATE TRIGGER tickets_message_search_delete AFTER DELETE ON tickets_message
    FOR EACH ROW EXECUTE FUNCTION tickets_message_search_change();

-- Existing tickets: the same rebuild as a changed message, so the cap applies here too.
SELECT tickets_ticket_search_rebuild(id) FROM tickets_ticket;

CREATE INDEX tickets_ticket_search_vector_gin ON tickets_ticket USING gin (search_vector);
CREATE INDEX tickets_ticket_internal_search_gin ON tickets_ticket
    USING gin (internal_search_vector);
-- Django's icontains is UPPER(column::text) LIKE UPPER(pattern): index that very expression.
CREATE INDEX tickets_ticket_serial_trgm ON tickets_ticket
    USING gin (upper(serial_number::text) gin_trgm_ops);
CREATE INDEX tickets_ticket_tracking_trgm ON tickets_ticket
    USING gin (upper(tracking_number::text) gin_trgm_ops);
"""

BACKWARD = r"""
DROP INDEX IF EXISTS tickets_ticket_tracking_trgm;
DROP INDEX IF EXISTS tickets_ticket_serial_trgm;
DROP TRIGGER IF EXISTS tickets_message_search_delete ON tickets_message;
DROP TRIGGER IF EXISTS tickets_message_search_update ON tickets_message;
DROP TRIGGER IF EXISTS tickets_message_search_insert ON tickets_message;
DROP TRIGGER IF EXISTS tickets_ticket_search_update ON tickets_ticket;
DROP TRIGGER IF EXISTS tickets_ticket_search_insert ON tickets_ticket;
DROP FUNCTION IF EXISTS tickets_message_search_change();
DROP FUNCTION IF EXISTS tickets_message_search_insert();
DROP FUNCTION IF EXISTS tickets_ticket_search_update();
DROP FUNCTION IF EXISTS tickets_ticket_search_insert();
DROP FUNCTION IF EXISTS tickets_ticket_search_rebuild(bigint);
DROP FUNCTION IF EXISTS tickets_ticket_own_words(tickets_ticket);
DROP FUNCTION IF EXISTS tickets_words_join(tsvector, tsvector);
DROP FUNCTION IF EXISTS tickets_words(text, "char");
ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS internal_search_vector;
ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS search_vector;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0007_phone_recorder_help_text")]

    operations = [migrations.RunPython(forward, backward)]
