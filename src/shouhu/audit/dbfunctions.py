"""The only two ways rows of the access log leave or change on PostgreSQL: functions owned by the role
that owns the tables (SECURITY DEFINER), which the application's role may call but not change.

* ``audit_accesslog_purge(before)`` deletes the rows older than ``before`` and refuses a ``before`` later
  than the database's own clock less three years (``retention.MINIMUM_DAYS``, the legal floor): the
  application cannot delete a recent row even by calling it with a date of its choosing. The longer
  period a deployment configures (``AUDIT_RETENTION_DAYS``) is applied by ``retention.purge`` above that
  floor; the floor is fixed in the function so that no setting of the application can lower it.
* ``audit_accesslog_blank(child, needles)`` blanks the path and query of the rows about a child whose
  file has been anonymised (``privacy_archive.anonymised_at`` set), and of rows whose query holds one of
  ``needles`` (the child's hashed ID number); the rows of the system's own work stay whole.

Both turn ``shouhu.retention`` on around their own statement only (and off again before they return;
an error rolls the setting back with the rest), which is what the append-only trigger of migration 0002
lets through. Installed by migration
``0003_definer_functions`` and again by ``shouhu db-roles`` (which also writes the configured period in).
"""

from __future__ import annotations

PURGE = "audit_accesslog_purge"
BLANK = "audit_accesslog_blank"


CREATE_SQL = """
CREATE OR REPLACE FUNCTION audit_accesslog_purge(before timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    removed bigint;
BEGIN
    IF before > now() - make_interval(days => __DAYS__) THEN
        RAISE EXCEPTION 'the access log keeps % days: rows after % may not be purged', __DAYS__,
            now() - make_interval(days => __DAYS__)
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('shouhu.retention', 'on', true);
    DELETE FROM public.audit_accesslog WHERE at < before;
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('shouhu.retention', 'off', true);
    RETURN removed;
END;
$$;

CREATE OR REPLACE FUNCTION audit_accesslog_blank(child uuid, needles text[]) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    blanked bigint;
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM public.privacy_archive a WHERE a.child_id = child AND a.anonymised_at IS NOT NULL
    ) THEN
        RAISE EXCEPTION 'only the log rows of an anonymised file may be blanked'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('shouhu.retention', 'on', true);
    UPDATE public.audit_accesslog l SET path = '', query = ''
     WHERE l.channel <> 'job'
       AND (l.path <> '' OR l.query <> '')
       AND (l.child_id = child
            OR EXISTS (SELECT 1 FROM unnest(needles) n WHERE n <> '' AND strpos(l.query, n) > 0));
    GET DIAGNOSTICS blanked = ROW_COUNT;
    PERFORM set_config('shouhu.retention', 'off', true);
    RETURN blanked;
END;
$$;

REVOKE ALL ON FUNCTION audit_accesslog_purge(timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_accesslog_blank(uuid, text[]) FROM PUBLIC;
"""


def create_sql(days: int | None = None) -> str:
    """The two functions, keeping at least ``days`` (never less than three years)."""
    from .retention import MINIMUM_DAYS

    return CREATE_SQL.replace("__DAYS__", str(max(int(days or MINIMUM_DAYS), MINIMUM_DAYS)))


DROP_SQL = """
DROP FUNCTION IF EXISTS audit_accesslog_purge(timestamptz);
DROP FUNCTION IF EXISTS audit_accesslog_blank(uuid, text[]);
"""
