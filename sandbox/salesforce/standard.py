"""The standard objects the emulated orgs describe and serve: the ones a GTM team loads.

Fields, types, lengths, picklist values and relationships follow Salesforce's Object Reference
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/ ,
pages sforce_api_objects_account.htm, _contact, _lead, _opportunity, _opportunitylineitem, _case,
_campaign, _campaignmember, _task, _event, _user, _product2, _pricebook2, _pricebookentry), for
the fields a GTM pipeline reads; an org has more. Every object also has the system fields
(fields.system_fields). Account, Contact and Lead, the objects merge() supports (SOAP API
Developer Guide, merge(): "The only supported object types are Lead, Contact and Account"), carry
MasterRecordId. Compound address fields are modelled as Salesforce does: the components are
fields of their own, the compound (`BillingAddress`, type `address`) is read-only and its value is
the dict of its components. Picklists hold the default values of a new org. Lookups to objects
the orgs do not serve (Profile, UserRole, Group) are described as the API describes them; those
objects themselves are unknown (INVALID_TYPE), as in an org without API access to them.

Every standard object also has `External_Id__c`, the sandbox's custom external-id field, so
upserts by external id work on any of them.
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox.salesforce.fields import FieldSpec, address, master_record, read_only

MERGEABLE_OBJECTS: frozenset[str] = frozenset({"Account", "Contact", "Lead"})
"""The objects merge() combines; each carries MasterRecordId."""

_INDUSTRIES = ("Agriculture", "Banking", "Energy", "Healthcare", "Retail", "Technology")
_LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Trade Show")
_RATINGS = ("Hot", "Warm", "Cold")
_SALUTATIONS = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")
_STAGES = ("Prospecting", "Qualification", "Proposal/Price Quote", "Closed Won", "Closed Lost")
_FORECAST = ("Omitted", "Pipeline", "Best Case", "Commit", "Closed")
_ACTIVITY_TYPES = ("Call", "Email", "Meeting", "Other")


def _external_id() -> FieldSpec:
    return FieldSpec("External_Id__c", "string", "External Id", external_id=True)


def _owner(*also: str) -> FieldSpec:
    """OwnerId: Salesforce describes it not nillable and defaulted on create (the running user);
    it is nillable here until the org fills defaulted fields on insert, so inserts without it pass."""
    return FieldSpec(
        "OwnerId", "reference", "Owner ID", reference_to="User", polymorphic=also, defaulted_on_create=True
    )


def _account() -> list[FieldSpec]:
    return [
        master_record("Account"),
        FieldSpec("Name", "string", "Account Name", nillable=False),
        FieldSpec("Type", "picklist", "Account Type", picklist_values=("Prospect", "Customer", "Partner")),
        FieldSpec("Industry", "picklist", picklist_values=_INDUSTRIES),
        FieldSpec("Rating", "picklist", picklist_values=_RATINGS),
        FieldSpec("AnnualRevenue", "currency", "Annual Revenue"),
        FieldSpec("NumberOfEmployees", "int", "Employees"),
        FieldSpec("Phone", "phone", "Account Phone"),
        FieldSpec("Website", "url"),
        FieldSpec("BillingCity", "string", "Billing City"),
        FieldSpec("BillingCountry", "string", "Billing Country"),
        FieldSpec("Description", "textarea", "Account Description"),
        _external_id(),
        FieldSpec("ParentId", "reference", "Parent Account ID", reference_to="Account"),
        FieldSpec("AccountNumber", "string", "Account Number", length=40),
        FieldSpec("Site", "string", "Account Site", length=80),
        FieldSpec("AccountSource", "picklist", "Account Source", picklist_values=_LEAD_SOURCES),
        FieldSpec("Fax", "phone", "Account Fax", length=40),
        FieldSpec("Ownership", "picklist", picklist_values=("Public", "Private", "Subsidiary", "Other")),
        FieldSpec("Sic", "string", "SIC Code", length=20),
        FieldSpec("TickerSymbol", "string", "Ticker Symbol", length=20),
        *address("Billing", "Billing", skip=("BillingCity", "BillingCountry")),
        *address("Shipping", "Shipping"),
        _owner(),
        read_only(FieldSpec("LastActivityDate", "date", "Last Activity")),
    ]


def _contact() -> list[FieldSpec]:
    return [
        master_record("Contact"),
        FieldSpec("FirstName", "string", "First Name"),
        FieldSpec("LastName", "string", "Last Name", nillable=False),
        FieldSpec("Name", "string", "Full Name", creatable=False, updatable=False),
        FieldSpec("AccountId", "reference", "Account ID", reference_to="Account"),
        FieldSpec("Email", "email"),
        FieldSpec("Phone", "phone", "Business Phone"),
        FieldSpec("Title", "string"),
        FieldSpec("LeadSource", "picklist", "Lead Source", picklist_values=_LEAD_SOURCES),
        FieldSpec("Birthdate", "date"),
        FieldSpec("HasOptedOutOfEmail", "boolean", "Email Opt Out", nillable=False),
        _external_id(),
        FieldSpec("Salutation", "picklist", picklist_values=_SALUTATIONS),
        FieldSpec("Department", "string", length=80),
        FieldSpec("MobilePhone", "phone", "Mobile Phone", length=40),
        FieldSpec("Fax", "phone", "Business Fax", length=40),
        FieldSpec("ReportsToId", "reference", "Reports To ID", reference_to="Contact"),
        FieldSpec("DoNotCall", "boolean", "Do Not Call", nillable=False),
        FieldSpec("Description", "textarea", "Contact Description"),
        *address("Mailing", "Mailing"),
        _owner(),
        read_only(FieldSpec("LastActivityDate", "date", "Last Activity")),
    ]


def _opportunity() -> list[FieldSpec]:
    return [
        FieldSpec("Name", "string", "Opportunity Name", nillable=False),
        FieldSpec("AccountId", "reference", "Account ID", reference_to="Account"),
        FieldSpec("StageName", "picklist", "Stage", nillable=False, picklist_values=_STAGES),
        FieldSpec("Amount", "currency"),
        FieldSpec("Probability", "percent", "Probability (%)"),
        FieldSpec("CloseDate", "date", "Close Date", nillable=False),
        FieldSpec("Type", "picklist", "Opportunity Type", picklist_values=("New Business", "Renewal")),
        FieldSpec("IsClosed", "boolean", "Closed", nillable=False, creatable=False, updatable=False),
        FieldSpec("Description", "textarea"),
        _external_id(),
        read_only(FieldSpec("IsWon", "boolean", "Won", nillable=False)),
        read_only(FieldSpec("ExpectedRevenue", "currency", "Expected Amount")),
        FieldSpec("TotalOpportunityQuantity", "double", "Quantity"),
        FieldSpec("NextStep", "string", "Next Step", length=255),
        FieldSpec("LeadSource", "picklist", "Lead Source", picklist_values=_LEAD_SOURCES),
        FieldSpec("ForecastCategoryName", "picklist", "Forecast Category", picklist_values=_FORECAST),
        FieldSpec("CampaignId", "reference", "Campaign ID", reference_to="Campaign"),
        FieldSpec("Pricebook2Id", "reference", "Price Book ID", reference_to="Pricebook2"),
        read_only(FieldSpec("HasOpportunityLineItem", "boolean", "Has Line Item", nillable=False)),
        FieldSpec("IsPrivate", "boolean", "Private", nillable=False),
        read_only(FieldSpec("FiscalYear", "int", "Fiscal Year")),
        read_only(FieldSpec("FiscalQuarter", "int", "Fiscal Quarter")),
        _owner(),
        read_only(FieldSpec("LastActivityDate", "date", "Last Activity")),
    ]


def _lead() -> list[FieldSpec]:
    return [
        master_record("Lead"),
        FieldSpec("FirstName", "string", "First Name"),
        FieldSpec("LastName", "string", "Last Name", nillable=False),
        FieldSpec("Name", "string", "Full Name", creatable=False, updatable=False),
        FieldSpec("Company", "string", nillable=False),
        FieldSpec("Email", "email"),
        FieldSpec("Phone", "phone"),
        FieldSpec(
            "Status", "picklist", "Lead Status", nillable=False, picklist_values=("Open", "Working", "Closed")
        ),
        FieldSpec("LeadSource", "picklist", "Lead Source", picklist_values=_LEAD_SOURCES),
        FieldSpec("Industry", "picklist", picklist_values=_INDUSTRIES),
        FieldSpec("Rating", "picklist", picklist_values=_RATINGS),
        FieldSpec("AnnualRevenue", "currency", "Annual Revenue"),
        FieldSpec("NumberOfEmployees", "int", "Employees"),
        FieldSpec("IsConverted", "boolean", "Converted", nillable=False, creatable=False, updatable=False),
        _external_id(),
        FieldSpec("Salutation", "picklist", picklist_values=_SALUTATIONS),
        FieldSpec("Title", "string", length=128),
        FieldSpec("MobilePhone", "phone", "Mobile Phone", length=40),
        FieldSpec("Fax", "phone", length=40),
        FieldSpec("Website", "url", length=255),
        FieldSpec("Description", "textarea"),
        FieldSpec("HasOptedOutOfEmail", "boolean", "Email Opt Out", nillable=False),
        FieldSpec("DoNotCall", "boolean", "Do Not Call", nillable=False),
        *address("", ""),
        read_only(FieldSpec("ConvertedDate", "date", "Converted Date")),
        read_only(
            FieldSpec("ConvertedAccountId", "reference", "Converted Account ID", reference_to="Account")
        ),
        read_only(
            FieldSpec("ConvertedContactId", "reference", "Converted Contact ID", reference_to="Contact")
        ),
        read_only(
            FieldSpec(
                "ConvertedOpportunityId", "reference", "Converted Opportunity ID", reference_to="Opportunity"
            )
        ),
        FieldSpec("IsUnreadByOwner", "boolean", "Unread By Owner", nillable=False),
        _owner("Group"),
    ]


def _opportunity_line_item() -> list[FieldSpec]:
    return [
        FieldSpec(
            "OpportunityId",
            "reference",
            "Opportunity ID",
            nillable=False,
            updatable=False,
            reference_to="Opportunity",
        ),
        FieldSpec(
            "PricebookEntryId",
            "reference",
            "Price Book Entry ID",
            updatable=False,
            reference_to="PricebookEntry",
        ),
        read_only(FieldSpec("Product2Id", "reference", "Product ID", reference_to="Product2")),
        read_only(FieldSpec("ProductCode", "string", "Product Code", length=255)),
        read_only(FieldSpec("Name", "string", "Opportunity Product Name", length=376)),
        FieldSpec("Quantity", "double", nillable=False),
        FieldSpec("UnitPrice", "currency", "Sales Price"),
        FieldSpec("TotalPrice", "currency", "Total Price"),
        read_only(FieldSpec("ListPrice", "currency", "List Price")),
        FieldSpec("Discount", "percent"),
        FieldSpec("ServiceDate", "date", "Date"),
        FieldSpec("SortOrder", "int", "Sort Order"),
        FieldSpec("Description", "string", "Line Description", length=255),
        _external_id(),
    ]


def _case() -> list[FieldSpec]:
    return [
        read_only(FieldSpec("CaseNumber", "string", "Case Number", nillable=False, length=30)),
        FieldSpec("ContactId", "reference", "Contact ID", reference_to="Contact"),
        FieldSpec("AccountId", "reference", "Account ID", reference_to="Account"),
        FieldSpec("ParentId", "reference", "Parent Case ID", reference_to="Case"),
        FieldSpec("SuppliedName", "string", "Web Name", length=80),
        FieldSpec("SuppliedEmail", "email", "Web Email", length=80),
        FieldSpec("SuppliedPhone", "string", "Web Phone", length=40),
        FieldSpec("SuppliedCompany", "string", "Web Company", length=80),
        FieldSpec(
            "Type",
            "picklist",
            "Case Type",
            picklist_values=("Mechanical", "Electrical", "Electronic", "Structural", "Other"),
        ),
        FieldSpec(
            "Status", "picklist", nillable=False, picklist_values=("New", "Working", "Escalated", "Closed")
        ),
        FieldSpec(
            "Reason",
            "picklist",
            "Case Reason",
            picklist_values=("Installation", "Equipment Complexity", "Performance", "Breakdown", "Other"),
        ),
        FieldSpec("Origin", "picklist", "Case Origin", picklist_values=("Phone", "Email", "Web")),
        FieldSpec("Subject", "string", length=255),
        FieldSpec("Priority", "picklist", picklist_values=("High", "Medium", "Low")),
        FieldSpec("Description", "textarea"),
        read_only(FieldSpec("IsClosed", "boolean", "Closed", nillable=False)),
        read_only(FieldSpec("ClosedDate", "datetime", "Closed Date")),
        FieldSpec("IsEscalated", "boolean", "Escalated", nillable=False),
        _owner("Group"),
        _external_id(),
    ]


def _campaign() -> list[FieldSpec]:
    kinds = ("Conference", "Webinar", "Trade Show", "Public Relations", "Partners", "Advertisement", "Email")
    return [
        FieldSpec("Name", "string", "Campaign Name", nillable=False, length=80),
        FieldSpec("ParentId", "reference", "Parent Campaign ID", reference_to="Campaign"),
        FieldSpec("Type", "picklist", picklist_values=kinds),
        FieldSpec("Status", "picklist", picklist_values=("Planned", "In Progress", "Completed", "Aborted")),
        FieldSpec("StartDate", "date", "Start Date"),
        FieldSpec("EndDate", "date", "End Date"),
        FieldSpec("ExpectedRevenue", "currency", "Expected Revenue in Campaign"),
        FieldSpec("BudgetedCost", "currency", "Budgeted Cost in Campaign"),
        FieldSpec("ActualCost", "currency", "Actual Cost in Campaign"),
        FieldSpec("ExpectedResponse", "percent", "Expected Response (%)"),
        FieldSpec("NumberSent", "double", "Num Sent in Campaign"),
        FieldSpec("IsActive", "boolean", "Active", nillable=False),
        FieldSpec("Description", "textarea"),
        read_only(FieldSpec("NumberOfLeads", "int", "Leads in Campaign")),
        read_only(FieldSpec("NumberOfConvertedLeads", "int", "Converted Leads in Campaign")),
        read_only(FieldSpec("NumberOfContacts", "int", "Contacts in Campaign")),
        read_only(FieldSpec("NumberOfResponses", "int", "Responses in Campaign")),
        read_only(FieldSpec("NumberOfOpportunities", "int", "Opportunities in Campaign")),
        read_only(FieldSpec("AmountAllOpportunities", "currency", "Value Opportunities in Campaign")),
        _owner(),
        _external_id(),
    ]


def _campaign_member() -> list[FieldSpec]:
    return [
        FieldSpec(
            "CampaignId", "reference", "Campaign ID", nillable=False, updatable=False, reference_to="Campaign"
        ),
        FieldSpec("LeadId", "reference", "Lead ID", updatable=False, reference_to="Lead"),
        FieldSpec("ContactId", "reference", "Contact ID", updatable=False, reference_to="Contact"),
        FieldSpec("Status", "picklist", picklist_values=("Sent", "Responded")),
        read_only(FieldSpec("HasResponded", "boolean", "Responded", nillable=False)),
        read_only(FieldSpec("FirstRespondedDate", "date", "First Responded Date")),
        read_only(FieldSpec("Type", "picklist", picklist_values=("Contact", "Lead"))),
        _external_id(),
    ]


def _activity(extra: list[FieldSpec]) -> list[FieldSpec]:
    """What Task and Event share: who and what it is about, its subject, owner and type."""
    return [
        FieldSpec("WhoId", "reference", "Name ID", reference_to="Contact", polymorphic=("Lead",)),
        FieldSpec(
            "WhatId",
            "reference",
            "Related To ID",
            reference_to="Account",
            polymorphic=("Opportunity", "Campaign", "Case"),
        ),
        FieldSpec(
            "Subject",
            "combobox",
            picklist_values=("Call", "Email", "Send Letter", "Send Quote", "Other"),
            length=255,
        ),
        FieldSpec("ActivityDate", "date", "Due Date Only"),
        FieldSpec("Description", "textarea"),
        FieldSpec("Type", "picklist", picklist_values=_ACTIVITY_TYPES),
        read_only(FieldSpec("AccountId", "reference", "Account ID", reference_to="Account")),
        FieldSpec("IsReminderSet", "boolean", "Reminder Set", nillable=False),
        FieldSpec("ReminderDateTime", "datetime", "Reminder Date/Time"),
        *extra,
        _owner(),
        _external_id(),
    ]


def _task() -> list[FieldSpec]:
    statuses = ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred")
    return _activity(
        [
            FieldSpec("Status", "picklist", nillable=False, picklist_values=statuses),
            FieldSpec("Priority", "picklist", nillable=False, picklist_values=("High", "Normal", "Low")),
            read_only(FieldSpec("IsHighPriority", "boolean", "High Priority", nillable=False)),
            read_only(FieldSpec("IsClosed", "boolean", "Closed", nillable=False)),
            FieldSpec("CallDurationInSeconds", "int", "Call Duration"),
            FieldSpec(
                "CallType", "picklist", "Call Type", picklist_values=("Internal", "Inbound", "Outbound")
            ),
            FieldSpec("CallDisposition", "string", "Call Result", length=255),
            FieldSpec(
                "TaskSubtype",
                "picklist",
                "Task Subtype",
                picklist_values=("Task", "Email", "ListEmail", "Call"),
            ),
            read_only(FieldSpec("CompletedDateTime", "datetime", "Completed Date/Time")),
        ]
    )


def _event() -> list[FieldSpec]:
    return _activity(
        [
            FieldSpec("Location", "string", length=255),
            FieldSpec("IsAllDayEvent", "boolean", "All-Day Event", nillable=False),
            FieldSpec("ActivityDateTime", "datetime", "Due Date Time"),
            FieldSpec("StartDateTime", "datetime", "Start Date Time"),
            FieldSpec("EndDateTime", "datetime", "End Date Time"),
            FieldSpec("DurationInMinutes", "int", "Duration"),
            FieldSpec("ShowAs", "picklist", "Show Time As", picklist_values=("Busy", "OutOfOffice", "Free")),
            FieldSpec("IsPrivate", "boolean", "Private", nillable=False),
            FieldSpec("EventSubtype", "picklist", "Event Subtype", picklist_values=("Event",)),
        ]
    )


def _user() -> list[FieldSpec]:
    return [
        FieldSpec("Username", "string", nillable=False, length=80),
        FieldSpec("FirstName", "string", "First Name", length=40),
        FieldSpec("LastName", "string", "Last Name", nillable=False, length=80),
        FieldSpec("Name", "string", "Full Name", creatable=False, updatable=False),
        FieldSpec("Alias", "string", nillable=False, length=8),
        FieldSpec("CommunityNickname", "string", "Nickname", length=40),
        FieldSpec("Email", "email", nillable=False, length=128),
        FieldSpec("Phone", "phone", length=40),
        FieldSpec("MobilePhone", "phone", "Mobile", length=40),
        FieldSpec("Title", "string", length=80),
        FieldSpec("Department", "string", length=80),
        FieldSpec("Division", "string", length=80),
        FieldSpec("CompanyName", "string", "Company Name", length=80),
        FieldSpec("EmployeeNumber", "string", "Employee Number", length=20),
        *address("", ""),
        FieldSpec("IsActive", "boolean", "Active", nillable=False),
        FieldSpec("ManagerId", "reference", "Manager ID", reference_to="User"),
        FieldSpec("ProfileId", "reference", "Profile ID", nillable=False, reference_to="Profile"),
        FieldSpec("UserRoleId", "reference", "Role ID", reference_to="UserRole"),
        FieldSpec(
            "TimeZoneSidKey",
            "picklist",
            "Time Zone",
            nillable=False,
            picklist_values=("Europe/London", "Europe/Paris", "Europe/Berlin", "America/New_York"),
        ),
        FieldSpec(
            "LocaleSidKey",
            "picklist",
            "Locale",
            nillable=False,
            picklist_values=("en_GB", "fr_FR", "de_DE", "en_US"),
        ),
        FieldSpec(
            "LanguageLocaleKey", "picklist", "Language", nillable=False, picklist_values=("en_US", "fr", "de")
        ),
        FieldSpec(
            "EmailEncodingKey", "picklist", "Email Encoding", nillable=False, picklist_values=("UTF-8",)
        ),
        read_only(FieldSpec("UserType", "picklist", "User Type", picklist_values=("Standard",))),
        read_only(FieldSpec("LastLoginDate", "datetime", "Last Login")),
        _external_id(),
    ]


def _product2() -> list[FieldSpec]:
    return [
        FieldSpec("Name", "string", "Product Name", nillable=False, length=255),
        FieldSpec("ProductCode", "string", "Product Code", length=255),
        FieldSpec("Description", "textarea", "Product Description"),
        FieldSpec("IsActive", "boolean", "Active", nillable=False),
        FieldSpec(
            "Family", "picklist", "Product Family", picklist_values=("Hardware", "Software", "Services")
        ),
        FieldSpec("QuantityUnitOfMeasure", "picklist", "Quantity Unit Of Measure", picklist_values=("Each",)),
        FieldSpec("StockKeepingUnit", "string", "Product SKU", length=180),
        FieldSpec("DisplayUrl", "url", "Display URL", length=1000),
        read_only(FieldSpec("IsArchived", "boolean", "Archived", nillable=False)),
        _external_id(),
    ]


def _pricebook2() -> list[FieldSpec]:
    return [
        FieldSpec("Name", "string", "Price Book Name", nillable=False, length=255),
        FieldSpec("Description", "string", length=255),
        FieldSpec("IsActive", "boolean", "Active", nillable=False),
        read_only(FieldSpec("IsStandard", "boolean", "Is Standard Price Book", nillable=False)),
        read_only(FieldSpec("IsArchived", "boolean", "Archived", nillable=False)),
        _external_id(),
    ]


def _pricebook_entry() -> list[FieldSpec]:
    return [
        FieldSpec(
            "Pricebook2Id",
            "reference",
            "Price Book ID",
            nillable=False,
            updatable=False,
            reference_to="Pricebook2",
        ),
        FieldSpec(
            "Product2Id", "reference", "Product ID", nillable=False, updatable=False, reference_to="Product2"
        ),
        read_only(FieldSpec("Name", "string", "Product Name", length=255)),
        read_only(FieldSpec("ProductCode", "string", "Product Code", length=255)),
        FieldSpec("UnitPrice", "currency", "List Price", nillable=False),
        FieldSpec("UseStandardPrice", "boolean", "Use Standard Price", nillable=False),
        FieldSpec("IsActive", "boolean", "Active", nillable=False),
        read_only(FieldSpec("IsArchived", "boolean", "Archived", nillable=False)),
        _external_id(),
    ]


STANDARD: dict[str, tuple[str, Callable[[], list[FieldSpec]]]] = {
    "Account": ("Account", _account),
    "Contact": ("Contact", _contact),
    "Opportunity": ("Opportunity", _opportunity),
    "Lead": ("Lead", _lead),
    "OpportunityLineItem": ("Opportunity Product", _opportunity_line_item),
    "Case": ("Case", _case),
    "Campaign": ("Campaign", _campaign),
    "CampaignMember": ("Campaign Member", _campaign_member),
    "Task": ("Task", _task),
    "Event": ("Event", _event),
    "User": ("User", _user),
    "Product2": ("Product", _product2),
    "Pricebook2": ("Price Book", _pricebook2),
    "PricebookEntry": ("Price Book Entry", _pricebook_entry),
}
"""API name -> (label, its own fields), in the order ListConnectorEntities lists them."""
