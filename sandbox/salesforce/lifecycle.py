"""What deleting, restoring, merging and purging do to a record, as Salesforce documents it.

The org keeps every version of a record; these rules decide what a reader sees of them at the
org's clock, and which timestamps each operation moves:

- **delete** (SOAP/REST delete): the record goes to the Recycle Bin with `IsDeleted = true`.
  `SystemModstamp` moves, `LastModifiedDate` does not: Salesforce's replication calls report the
  deletion time from SystemModstamp (SOAP API Developer Guide, GetDeletedResult: "deletedDate ...
  obtained using the SystemModstamp system field"), and LastModifiedDate only records a user's
  edit of the record's fields (Salesforce Help 000387261, "Difference between SystemModStamp and
  LastModifiedDate": LastModifiedDate <= SystemModstamp). `query` no longer returns the record;
  `queryAll` does, with IsDeleted = true (SOAP API, queryAll()).
- Deleting an Account deletes its Contacts and Opportunities with it (Salesforce Help, "Delete
  Accounts": related contacts and opportunities are deleted too); restoring the account restores
  the records its deletion took along.
- **undelete**: a record in the Recycle Bin comes back with IsDeleted = false and a new
  SystemModstamp; LastModifiedDate is left as it was (the record's fields were not edited).
- **merge** (merge(): Account, Contact, Lead; up to three records): the master may take field
  values (a user's update: LastModifiedDate and SystemModstamp move); each other record is deleted
  with `MasterRecordId` = the master and keeps its own field values; records that pointed at a
  merged-away record are re-parented to the master (their own update).
- **purge** (emptyRecycleBin(), or 15 days in the Recycle Bin: Salesforce Help, "Recycle Bin":
  "deleted items are permanently removed after 15 days"), and **hard delete** (Bulk API
  hardDelete: straight past the Recycle Bin): the record is gone; not even queryAll returns it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sandbox.salesforce.generator import RecordVersion

RECYCLE_BIN_DAYS = 15
CASCADE_DELETES: dict[str, tuple[tuple[str, str], ...]] = {
    "Account": (("Contact", "AccountId"), ("Opportunity", "AccountId")),
}
"""Parent object -> (child object, reference field): children deleted and restored with the parent."""
MAX_MERGED = 3
"""merge() combines up to three records, the master included."""


@dataclass
class RecordState:
    """Every version of one record, and when it was purged (removed from the Recycle Bin)."""

    versions: list[RecordVersion]
    purged_at: dt.datetime | None = None
    deleted_with: str | None = None
    """The parent id whose deletion took this record along (a cascade), until it is restored."""

    def visible(self, clock: dt.datetime, *, include_deleted: bool) -> RecordVersion | None:
        """The version a reader sees at `clock`: `query` (live records) or `queryAll`
        (`include_deleted`: also the Recycle Bin); None when the record does not exist then."""
        version = latest_before(self.versions, clock)
        if version is None or (self.purged_at is not None and self.purged_at <= clock):
            return None
        in_bin = bool(version.values.get("IsDeleted"))
        expired = clock - version.at > dt.timedelta(days=RECYCLE_BIN_DAYS)
        if in_bin and (not include_deleted or expired):
            return None
        return version

    def in_recycle_bin(self, clock: dt.datetime) -> bool:
        version = self.visible(clock, include_deleted=True)
        return version is not None and bool(version.values.get("IsDeleted"))

    def live(self, clock: dt.datetime) -> RecordVersion | None:
        return self.visible(clock, include_deleted=False)


def latest_before(versions: Sequence[RecordVersion], clock: dt.datetime) -> RecordVersion | None:
    """The last version that exists at `clock` (versions are in time order)."""
    found = None
    for version in versions:
        if version.at > clock:
            break
        found = version
    return found
