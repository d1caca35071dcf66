#!/usr/bin/env python3
"""Deterministic generator of the demo model's training and evaluation chats.

Each example is one chat as the gateway's /generate/structured renders it:
the lab's system message (default system prompt + the DatabaseSchema JSON
Schema, exactly as src/api/lab_codec.cpp builds it), a user prompt asking for a
table, and the assistant's answer: a DatabaseSchema JSON object serialized
compactly with keys in schema order (table_name, columns; name, data_type,
is_nullable) — the order the grammar forces.

Two kinds of prompts:
  * entity only ("Generate a user_accounts schema"): the answer proposes
    plausible columns for the entity, `id` first and timestamps last;
  * named columns ("Create a table for invoices with amount, due date and a
    paid flag"): the answer is `id` (unless named) then the named columns in
    the order given.
Column types and nullability come from the column's name (column_type below),
so the mapping the model learns is consistent.

Held out for evaluation (never in training): a set of entity names, and a set
of prompt phrasings. Synthetic nonsense entities ("vormex_ledgers") and
remixed ones (new combinations of known words, "invoice_tenant_photos") teach
the model to copy the entity from the prompt rather than recall it.

Usage: make_data.py --out DIR [--seed 1] [--train N] [--heldout N]
Writes DIR/train.jsonl, DIR/heldout.jsonl ({"user", "assistant", "table_name", "phrasing",
"named_columns"}), DIR/system.txt and DIR/corpus.txt (rendered chats for the
tokenizer trainer).
"""
import argparse
import json
import os
import random
import re
import sys
from functools import lru_cache

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import english  # noqa: E402

# ---------------------------------------------------------------- system text
LAB_SCHEMA_TEXT = r'''{
  "title": "DatabaseSchema",
  "type": "object",
  "properties": {
    "table_name": {
      "type": "string",
      "description": "Name of the table, must be snake_case",
      "pattern": "^[a-z][a-z0-9_]*$"
    },
    "columns": {
      "type": "array",
      "description": "List of columns in the table",
      "items": {
        "title": "Column",
        "type": "object",
        "properties": {
          "name": {
            "type": "string",
            "description": "Column name, must be snake_case",
            "pattern": "^[a-z][a-z0-9_]*$"
          },
          "data_type": {
            "type": "string",
            "description": "SQL data type, e.g. VARCHAR(255), INTEGER, TIMESTAMP"
          },
          "is_nullable": {"type": "boolean", "default": true}
        },
        "required": ["name", "data_type"]
      }
    }
  },
  "required": ["table_name", "columns"]
}'''
DEFAULT_SYSTEM_PROMPT = "You are a helpful database schema generation assistant."


def lab_system_message(system_prompt=DEFAULT_SYSTEM_PROMPT):
    """BuildStructuredSystemPrompt(system_prompt, serialize(LabDefaultSchema()))."""
    schema = json.dumps(json.loads(LAB_SCHEMA_TEXT), separators=(",", ":"), ensure_ascii=False)
    return (system_prompt + "\n\nYou must respond with a JSON object that matches this JSON Schema:\n"
            + schema + "\n\nRespond with the raw JSON object only: no markdown, no code fences, "
            "no explanation.")


def render_chat(system, user, assistant=None):
    """ChatML, as the embedded provider renders it (add_generation_prompt)."""
    s = ""
    if system is not None:
        s += "<|im_start|>system\n" + system + "<|im_end|>\n"
    s += "<|im_start|>user\n" + user + "<|im_end|>\n<|im_start|>assistant\n"
    if assistant is not None:
        s += assistant + "<|im_end|>"
    return s


# ------------------------------------------------------------- column typing
MONEY = {"price", "amount", "total", "cost", "balance", "salary", "fee", "subtotal", "tax",
         "discount", "revenue", "budget", "wage", "payment", "refund", "deposit", "rent",
         "premium", "commission", "bonus", "tip", "credit_limit", "unit_price", "list_price",
         "total_amount", "tax_amount", "shipping_cost", "hourly_rate", "annual_salary",
         "net_amount", "gross_amount", "amount_due", "amount_paid", "price_per_night",
         "monthly_fee", "total_price", "balance_due", "copay"}
TEXT = {"description", "notes", "body", "content", "bio", "comment", "message", "summary",
        "address", "instructions", "details", "text", "reason", "feedback", "review_text",
        "diagnosis", "symptoms", "answer", "question", "caption", "transcript", "abstract",
        "ingredients", "remarks", "resolution", "biography", "response", "explanation",
        "street_address", "shipping_address", "billing_address", "prescription", "lyrics",
        "agenda", "outcome", "steps", "requirements", "terms", "policy_text", "error_message"}
INTEGER = {"quantity", "count", "age", "year", "stock", "capacity", "priority", "level",
           "floor", "seats", "rank", "position", "version", "attempts", "page_count",
           "duration_minutes", "duration_seconds", "retry_count", "views", "likes", "sort_order",
           "room_number", "credits", "semester", "grade_level", "heart_rate", "steps_count",
           "calories", "stock_quantity", "reorder_level", "max_participants", "word_count",
           "battery_level", "signal_strength", "mileage", "horsepower", "bedrooms", "bathrooms",
           "square_feet", "population", "units", "dosage_mg", "days_overdue", "nights",
           "guests", "points", "jersey_number", "runtime_minutes", "track_number", "episode_number",
           "season_number", "chapter_number", "vote_count", "download_count", "port",
           "http_status", "response_time_ms", "memory_mb", "cpu_cores", "term_months",
           "lead_time_days", "shelf_life_days", "minimum_order", "batch_size", "floor_number",
           "enrollment_count", "birth_year", "release_year", "model_year", "width", "height_px"}
DECIMAL_MISC = {"rating": "DECIMAL(3,2)", "score": "DECIMAL(5,2)", "gpa": "DECIMAL(3,2)",
                "latitude": "DECIMAL(9,6)", "longitude": "DECIMAL(9,6)",
                "weight": "DECIMAL(8,2)", "height": "DECIMAL(8,2)", "weight_kg": "DECIMAL(8,2)",
                "height_cm": "DECIMAL(8,2)", "temperature": "DECIMAL(5,2)",
                "humidity": "DECIMAL(5,2)", "interest_rate": "DECIMAL(5,2)",
                "tax_rate": "DECIMAL(5,2)", "discount_percent": "DECIMAL(5,2)",
                "percentage": "DECIMAL(5,2)", "exchange_rate": "DECIMAL(12,6)",
                "pressure": "DECIMAL(7,2)", "voltage": "DECIMAL(7,2)", "distance_km": "DECIMAL(8,2)",
                "reading": "DECIMAL(10,4)", "value": "DECIMAL(10,4)", "volume": "DECIMAL(10,2)",
                "blood_pressure": "VARCHAR(20)", "speed": "DECIMAL(6,2)",
                "completion_rate": "DECIMAL(5,2)", "conversion_rate": "DECIMAL(5,2)",
                "body_temperature": "DECIMAL(5,2)", "area_sq_m": "DECIMAL(10,2)",
                "alcohol_content": "DECIMAL(4,2)", "co2_level": "DECIMAL(7,2)"}
SHORT_STRINGS = {"status": "VARCHAR(50)", "type": "VARCHAR(50)", "category": "VARCHAR(100)",
                 "kind": "VARCHAR(50)", "role": "VARCHAR(50)", "state": "VARCHAR(50)",
                 "gender": "VARCHAR(20)", "currency": "CHAR(3)", "country_code": "CHAR(2)",
                 "language_code": "CHAR(2)", "phone": "VARCHAR(20)", "phone_number": "VARCHAR(20)",
                 "mobile": "VARCHAR(20)", "fax": "VARCHAR(20)", "zip_code": "VARCHAR(10)",
                 "postal_code": "VARCHAR(10)", "sku": "VARCHAR(64)", "code": "VARCHAR(50)",
                 "ip_address": "VARCHAR(45)", "mac_address": "VARCHAR(17)", "color": "VARCHAR(30)",
                 "size": "VARCHAR(20)", "priority_level": "VARCHAR(20)", "blood_type": "VARCHAR(3)",
                 "license_plate": "VARCHAR(15)", "vin": "CHAR(17)", "isbn": "VARCHAR(13)",
                 "timezone": "VARCHAR(64)", "locale": "VARCHAR(10)", "version_tag": "VARCHAR(32)",
                 "ticker": "VARCHAR(10)", "iban": "VARCHAR(34)", "tracking_number": "VARCHAR(64)",
                 "serial_number": "VARCHAR(64)", "firmware_version": "VARCHAR(32)",
                 "payment_method": "VARCHAR(50)", "unit": "VARCHAR(20)", "method": "VARCHAR(10)",
                 "severity": "VARCHAR(20)", "frequency": "VARCHAR(50)", "channel": "VARCHAR(50)",
                 "provider": "VARCHAR(100)", "platform": "VARCHAR(50)", "source": "VARCHAR(100)",
                 "grade": "VARCHAR(5)", "room": "VARCHAR(20)", "shift": "VARCHAR(20)",
                 "department": "VARCHAR(100)", "city": "VARCHAR(100)", "country": "VARCHAR(100)",
                 "region": "VARCHAR(100)", "genre": "VARCHAR(50)", "format": "VARCHAR(20)",
                 "mime_type": "VARCHAR(100)", "job_title": "VARCHAR(100)", "nationality": "VARCHAR(100)",
                 "account_number": "VARCHAR(34)", "routing_number": "VARCHAR(9)",
                 "invoice_number": "VARCHAR(50)", "order_number": "VARCHAR(50)",
                 "medical_record_number": "VARCHAR(50)", "policy_number": "VARCHAR(50)",
                 "username": "VARCHAR(50)", "slug": "VARCHAR(255)", "first_name": "VARCHAR(100)",
                 "last_name": "VARCHAR(100)", "middle_name": "VARCHAR(100)", "nickname": "VARCHAR(50)",
                 "brand": "VARCHAR(100)", "model": "VARCHAR(100)", "make": "VARCHAR(100)",
                 "manufacturer": "VARCHAR(255)", "dosage": "VARCHAR(100)", "cuisine": "VARCHAR(50)",
                 "position_title": "VARCHAR(100)", "license_number": "VARCHAR(50)",
                 "tax_id": "VARCHAR(50)", "ssn": "CHAR(11)", "api_key": "VARCHAR(64)"}
JSON_COLS = {"metadata", "settings", "payload", "attributes", "preferences", "config",
             "options", "properties", "tags", "permissions", "headers", "context", "specs",
             "data", "extra"}
NOT_NULL_NAMES = {"name", "title", "email", "status", "username", "first_name", "last_name",
                  "quantity", "amount", "price", "total", "password_hash", "type", "sku",
                  "currency", "code", "slug", "role", "unit_price", "total_amount", "order_number",
                  "invoice_number", "body", "content", "message", "question", "value", "reading"}


def column_type(name):
    """(data_type, is_nullable) for a snake_case column name."""
    n = name
    if n == "id":
        return "INTEGER", False
    if n.endswith("_id"):
        return "INTEGER", n in ("parent_id", "manager_id", "referrer_id", "assigned_to_id")
    if n in ("uuid", "guid") or n.endswith("_uuid"):
        return "UUID", False
    if n in ("created_at", "updated_at"):
        return "TIMESTAMP", False
    if n.endswith("_at") or n in ("timestamp", "recorded_time"):
        return "TIMESTAMP", True
    if n.startswith(("is_", "has_", "can_", "allow_")) or n in ("active", "enabled", "verified",
                                                                "paid", "archived", "deleted"):
        return "BOOLEAN", False
    if n in ("date", "birthday", "dob", "date_of_birth", "birth_date") or n.endswith("_date") \
            or n.endswith("_on"):
        return "DATE", n not in ("date",)
    if n.endswith("_time") or n == "time":
        return "TIME", True
    if n == "email" or n.endswith("_email"):
        return "VARCHAR(255)", n != "email"
    if n in ("password_hash", "password", "token", "refresh_token", "access_token") \
            or n.endswith("_hash") or n.endswith("_token"):
        return "VARCHAR(255)", n not in ("password_hash", "password")
    if n in ("url", "website", "image_url", "avatar_url", "photo_url", "link", "homepage") \
            or n.endswith("_url"):
        return "VARCHAR(2048)", True
    if n in MONEY or n.endswith(("_amount", "_price", "_cost", "_fee", "_total", "_salary",
                                 "_balance")):
        return "DECIMAL(10,2)", n not in NOT_NULL_NAMES
    if n in DECIMAL_MISC:
        return DECIMAL_MISC[n], n not in NOT_NULL_NAMES
    if n.endswith(("_rate", "_percent", "_percentage", "_ratio")):
        return "DECIMAL(5,2)", True
    if n in INTEGER or n.endswith(("_count", "_number", "_minutes", "_seconds", "_days",
                                   "_hours", "_ms", "_year", "_level", "_size", "_quantity")):
        if n.endswith("_number") and n in SHORT_STRINGS:
            return SHORT_STRINGS[n], False
        return "INTEGER", n not in NOT_NULL_NAMES
    if n in ("size_bytes", "file_size", "bytes", "byte_count", "views_total"):
        return "BIGINT", True
    if n in JSON_COLS or n.endswith("_json") or n.endswith("_settings"):
        return "JSON", True
    if n in TEXT or n.endswith(("_notes", "_description", "_text", "_comment", "_message",
                                "_address", "_summary", "_body")):
        return "TEXT", n not in NOT_NULL_NAMES
    if n in SHORT_STRINGS:
        return SHORT_STRINGS[n], n not in NOT_NULL_NAMES
    if n.endswith(("_status", "_type", "_code", "_category", "_role", "_method", "_state")):
        return "VARCHAR(50)", True
    if n.endswith("_currency"):
        return "CHAR(3)", True
    if n.endswith(("_phone", "_phone_number")):
        return "VARCHAR(20)", True
    if n in ("name", "title", "full_name", "display_name", "company_name", "subject",
             "headline", "label") or n.endswith(("_name", "_title")):
        return "VARCHAR(255)", n not in ("name", "title", "full_name", "subject", "label") and \
            n not in NOT_NULL_NAMES
    return "VARCHAR(255)", True


def type_family(data_type):
    t = data_type.upper()
    if t in ("INTEGER", "INT", "BIGINT", "SMALLINT", "SERIAL", "BIGSERIAL"):
        return "int"
    if t.startswith(("DECIMAL", "NUMERIC")) or t in ("REAL", "FLOAT", "DOUBLE PRECISION", "DOUBLE"):
        return "num"
    if t.startswith(("VARCHAR", "CHAR", "TEXT")):
        return "str"
    if t in ("TIMESTAMP", "TIMESTAMPTZ", "DATETIME"):
        return "ts"
    if t == "DATE":
        return "date"
    if t == "TIME":
        return "time"
    if t in ("BOOLEAN", "BOOL"):
        return "bool"
    if t in ("JSON", "JSONB"):
        return "json"
    if t == "UUID":
        return "uuid"
    return "other"


def plausible_type(name, data_type):
    """Whether `data_type` is a sensible SQL type for column `name` (eval check)."""
    want = type_family(column_type(name)[0])
    got = type_family(data_type)
    if got == "other":
        return False
    ok = {"int": {"int"}, "num": {"num"}, "str": {"str"}, "ts": {"ts"}, "date": {"date", "ts"},
          "time": {"time", "ts", "str"}, "bool": {"bool"}, "json": {"json", "str"},
          "uuid": {"uuid", "str"}}
    if want == "int" and name != "id" and not name.endswith("_id"):
        ok["int"] = {"int", "num"}
    if want == "num":
        ok["num"] = {"num", "int"} if not (name in MONEY) else {"num"}
    return got in ok[want]


# ---------------------------------------------------------------- entities
# Each line: table_name: specific columns (id and timestamps are added).
ENTITY_TEXT = """
users: username email password_hash first_name last_name is_active last_login_at
user_accounts: user_id username email password_hash is_verified last_login_at
customers: first_name last_name email phone address city country
employees: first_name last_name email department_id job_title salary hire_date is_active
departments: name description manager_id budget
products: name description sku price stock_quantity category is_active
orders: customer_id order_number status total_amount shipped_at
order_items: order_id product_id quantity unit_price discount
invoices: customer_id invoice_number amount due_date is_paid paid_at
payments: invoice_id amount payment_method status paid_at
categories: name slug description parent_id
reviews: product_id user_id rating title body
comments: post_id user_id body is_approved
posts: user_id title slug content status published_at
tags: name slug
sessions: user_id token ip_address user_agent expires_at
addresses: user_id street_address city state postal_code country
suppliers: company_name contact_name email phone address
warehouses: name location capacity manager_id
inventory: product_id warehouse_id quantity reorder_level
shipments: order_id carrier tracking_number status shipped_at delivered_at
carts: user_id status
cart_items: cart_id product_id quantity
coupons: code discount_percent valid_from valid_until max_uses is_active
subscriptions: user_id plan_id status started_at ends_at
plans: name price billing_period features is_active
patients: first_name last_name date_of_birth gender phone email blood_type
doctors: first_name last_name specialty license_number phone email
appointments: patient_id doctor_id scheduled_at status reason notes
prescriptions: patient_id doctor_id medication dosage frequency start_date end_date
medications: name manufacturer dosage_form strength description
lab_results: patient_id test_name result_value unit reference_range collected_at
hospitals: name address city phone bed_count
nurses: first_name last_name department shift license_number
insurance_claims: patient_id policy_number claim_amount status submitted_at
vaccinations: patient_id vaccine_name dose_number administered_at
sensors: device_id name sensor_type unit location is_active
devices: name serial_number firmware_version ip_address last_seen_at is_online
sensor_readings: sensor_id value unit recorded_at
alerts: device_id severity message is_resolved resolved_at
gateways: name ip_address location firmware_version
telemetry_events: device_id event_type payload recorded_at
firmware_updates: device_id version_tag status started_at finished_at
students: first_name last_name email date_of_birth enrollment_date grade_level
courses: title code description credits department_id
enrollments: student_id course_id enrolled_at grade
teachers: first_name last_name email subject hire_date
classrooms: name building capacity floor_number
assignments: course_id title description due_date max_points
grades: student_id assignment_id score graded_at
exams: course_id title exam_date duration_minutes
schools: name address city phone principal_name
accounts: user_id account_number account_type balance currency is_active
transactions: account_id amount transaction_type description posted_at
loans: customer_id principal interest_rate term_months status issued_at
credit_cards: customer_id card_last_four expires_on credit_limit is_active
budgets: user_id category amount period_start period_end
expenses: user_id category amount description expense_date
stocks: ticker company_name exchange sector
portfolios: user_id name total_value
trades: portfolio_id ticker quantity price side executed_at
exchange_rates: base_currency quote_currency rate recorded_at
projects: name description owner_id status start_date due_date
tasks: project_id assignee_id title description status priority due_date
teams: name description lead_id
team_members: team_id user_id role joined_at
milestones: project_id title due_date is_completed
time_entries: user_id task_id hours description entry_date
sprints: project_id name start_date end_date goal
issues: project_id reporter_id title description status priority
events: name description location starts_at ends_at capacity
tickets: event_id user_id seat_number price status
venues: name address city capacity
bookings: user_id room_id check_in_date check_out_date total_price status
hotels: name address city star_rating phone
rooms: hotel_id room_number room_type price_per_night capacity is_available
flights: flight_number origin destination departs_at arrives_at airline
passengers: first_name last_name passport_number nationality date_of_birth
reservations: customer_id table_id party_size reserved_at status
restaurants: name cuisine address phone rating
menu_items: restaurant_id name description price is_available
recipes: title description ingredients instructions prep_time_minutes servings
vehicles: make model model_year vin license_plate mileage
drivers: first_name last_name license_number phone rating
trips: driver_id vehicle_id started_at ended_at distance_km fare
rides: rider_id driver_id pickup_location dropoff_location fare status
routes: name origin destination distance_km
articles: author_id title slug body published_at is_featured
authors: first_name last_name bio email
books: title author_id isbn published_year page_count genre
libraries: name address city phone
book_loans: book_id member_id borrowed_at due_date returned_at
members: first_name last_name email joined_at membership_type
notifications: user_id title message is_read read_at
messages: sender_id recipient_id body is_read sent_at
conversations: title is_group
files: user_id file_name mime_type size_bytes storage_path
images: user_id url width height alt_text
videos: user_id title url duration_seconds view_count
playlists: user_id name description is_public
songs: album_id title duration_seconds track_number
albums: artist_id title release_year genre
artists: name bio country
movies: title release_year runtime_minutes genre rating
audit_logs: user_id action entity_type entity_id ip_address
api_keys: user_id name key_hash last_used_at expires_at is_active
roles: name description
permissions: name description
user_roles: user_id role_id assigned_at
settings: user_id key value
webhooks: user_id url secret event_types is_active
jobs: name status payload attempts run_at finished_at
error_logs: service_name severity message stack_trace occurred_at
feature_flags: name description is_enabled rollout_percentage
companies: name industry website employee_count founded_year
contacts: company_id first_name last_name email phone job_title
leads: first_name last_name email company source status score
deals: company_id owner_id title amount stage expected_close_date
campaigns: name channel budget start_date end_date status
surveys: title description is_active
survey_responses: survey_id user_id answers submitted_at
properties: owner_id address city bedrooms bathrooms square_feet price
leases: property_id tenant_id monthly_rent start_date end_date deposit
tenants: first_name last_name email phone
maintenance_requests: property_id tenant_id description priority status
farms: name location area_hectares owner_name
crops: farm_id name planted_on harvested_on yield_kg
animals: farm_id species name birth_date weight_kg
weather_observations: station_id temperature humidity pressure wind_speed observed_at
stations: name latitude longitude elevation
shifts: employee_id starts_at ends_at role
payroll: employee_id period_start period_end gross_amount net_amount paid_at
job_postings: title department location salary_min salary_max is_open
applicants: first_name last_name email resume_url status
interviews: applicant_id interviewer_id scheduled_at outcome notes
leave_requests: employee_id leave_type start_date end_date status reason
performance_reviews: employee_id reviewer_id rating comments review_date
gym_members: first_name last_name email membership_type joined_at
workouts: user_id workout_type duration_minutes calories performed_at
classes: name instructor_id schedule capacity
donations: donor_id amount campaign_id donated_at
donors: first_name last_name email total_donated
volunteers: first_name last_name email phone skills
pets: owner_id name species breed birth_date weight_kg
vet_visits: pet_id vet_name visit_date diagnosis cost
parking_spots: lot_id spot_number is_occupied hourly_rate
support_tickets: customer_id subject description priority status
faq_entries: question answer category
wishlists: user_id product_id added_at
"""

# Phrasings of column names in prompts: name -> natural phrases (besides the
# snake_case name itself and its words with spaces).
COLUMN_PHRASES = {
    "is_paid": ["a paid flag", "paid flag", "whether it is paid"],
    "is_active": ["an active flag", "active flag", "whether it is active"],
    "is_verified": ["a verified flag", "verified flag"],
    "is_read": ["a read flag", "read flag"],
    "is_public": ["a public flag"],
    "is_available": ["an availability flag", "available flag"],
    "is_enabled": ["an enabled flag"],
    "is_deleted": ["a deleted flag", "soft delete flag"],
    "email": ["email address", "e-mail"],
    "phone": ["phone number"],
    "date_of_birth": ["birth date", "dob"],
    "created_at": ["creation time", "created time", "created timestamp"],
    "updated_at": ["last update time", "updated timestamp"],
    "description": ["a description"],
    "notes": ["some notes"],
    "total_amount": ["total"],
    "price": ["a price"],
}

# Extra columns the named-column prompts draw from (beside the entity's own).
EXTRA_COLUMNS = """
name title email phone status description notes amount price total quantity due_date
created_at updated_at deleted_at is_active is_paid is_verified is_deleted is_public
customer_id user_id owner_id product_id order_id account_id category rating score
start_date end_date address city country postal_code latitude longitude url image_url
first_name last_name username password_hash balance currency discount tax_amount
priority type code sku color size weight height temperature humidity metadata settings
published_at expires_at completed_at approved_at cancelled_at last_login_at birthday
age year level capacity duration_minutes views likes comment_count sort_order slug
ip_address user_agent token api_key version_tag serial_number tracking_number
shipping_address billing_address payment_method is_featured is_archived has_discount
summary content body subject message reason feedback salary hire_date department
company_name website industry employee_count gender nationality job_title manager_id
parent_id region timezone locale language_code country_code phone_number mobile
signed_up_at verified_at scheduled_at delivered_at shipped_at returned_at paid_at
unit_price subtotal shipping_cost fee refund_amount credit_limit interest_rate
""".split()

# Synthetic nonsense words: entities and columns the model can only copy.
SYLLABLES = ("ba be bi bo bu da de di do du fa fe fi fo ga ge go ka ke ki ko ku la le li lo lu "
             "ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te "
             "ti to tu va ve vi vo za ze zo x r n l s m k t").split()

# Modifiers and heads for composed entities ("customer_notes").
MODIFIERS = ("user customer employee product order patient student vendor project company "
             "account device store team course member client supplier driver tenant doctor "
             "event invoice contract partner agent branch warehouse campaign shop school "
             "hospital vehicle property course_section guest donor player").split()
HEADS = {
    "notes": "author_id body", "documents": "title file_url mime_type size_bytes",
    "addresses": "street_address city state postal_code country is_primary",
    "contacts": "name email phone relationship", "payments": "amount payment_method paid_at",
    "reviews": "rating title body", "logs": "action message ip_address",
    "events": "event_type payload occurred_at", "settings": "key value",
    "preferences": "preference_key preference_value",
    "tags": "tag_name", "images": "image_url caption sort_order",
    "attachments": "file_name file_url size_bytes", "messages": "sender_id body is_read",
    "subscriptions": "plan_name status started_at ends_at",
    "invoices": "invoice_number amount due_date is_paid",
    "schedules": "day_of_week start_time end_time", "ratings": "score comment",
    "comments": "author_id body is_approved", "histories": "change_type old_value new_value",
    "profiles": "display_name bio avatar_url website", "sessions": "token ip_address expires_at",
    "metrics": "metric_name value recorded_at", "audits": "action performed_by details",
    "assignments": "assignee_id role assigned_at", "certifications": "name issuer issued_on expires_on",
    "feedback": "rating comment submitted_at", "visits": "visited_at duration_minutes notes",
    "photos": "photo_url caption", "balances": "balance currency as_of_date",
    "roles": "role_name granted_at", "groups": "name description",
    "requests": "request_type status details", "budgets": "amount period_start period_end",
    "contracts": "contract_number start_date end_date value",
    "licenses": "license_number issued_on expires_on",
    "alerts": "severity message is_resolved", "orders": "order_number total_amount status",
    "tasks": "title status due_date", "shifts": "starts_at ends_at",
    "accounts": "account_number balance is_active", "locations": "name latitude longitude",
    "reports": "title summary period_start period_end", "tokens": "token expires_at",
    "devices": "device_name platform last_seen_at", "favorites": "item_id added_at",
    "memberships": "membership_type started_at ends_at", "goals": "title target_value due_date",
    "credits": "amount reason expires_at", "refunds": "amount reason refunded_at",
}

# Entities and heads held out from training; composed names made from them
# are held out too.
HELDOUT_BASE = {"vaccinations", "firmware_updates", "exchange_rates", "sprints", "venues",
                "playlists", "feature_flags", "leases", "crops", "weather_observations",
                "leave_requests", "vet_visits", "parking_spots", "wishlists", "donors",
                "lab_results", "trades", "classrooms", "menu_items", "gateways", "surveys",
                "audit_logs", "time_entries", "shipments", "coupons", "loans", "milestones",
                "interviews", "hotels", "stations"}
HELDOUT_HEADS = {"certifications", "visits", "goals", "licenses", "refunds"}
HELDOUT_MODIFIERS = {"partner", "branch", "guest", "player", "donor"}


def parse_entities():
    ents = {}
    for line in ENTITY_TEXT.strip().splitlines():
        name, cols = line.split(":")
        ents[name.strip()] = cols.split()
    return ents


def singular(word):
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("ses") and word[-4] in "aeiou" and not word.endswith(("uses", "ases")):
        return word[:-1]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def plural(word):
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def camel(snake):
    return "".join(w.capitalize() for w in snake.split("_"))


def dedupe(cols):
    seen, out = set(), []
    for c in cols:
        if c not in seen:
            seen.add(c)
            out.append(c)
    return out


def proposed_columns(table, specific):
    specific = specific[:6]  # short answers: training time is the scarce resource
    cols = ["id"] + [c for c in specific if c.endswith("_id")] + \
        [c for c in specific if not c.endswith("_id") and c not in ("created_at", "updated_at")]
    return dedupe(cols + ["created_at", "updated_at"])


def answer_json(table, cols):
    out = []
    for c in cols:
        t, nullable = column_type(c)
        out.append({"name": c, "data_type": t, "is_nullable": nullable})
    return json.dumps({"table_name": table, "columns": out}, separators=(",", ":"))


# ---------------------------------------------------------------- phrasings
# {T}: the table as an identifier (snake, Camel or UPPER); {E}: natural words
# (plural); {S}: singular natural words. Named-column templates use {C}.
TRAIN_ENTITY_TEMPLATES = [
    "Generate a {T} schema", "Generate the {T} schema", "generate {T} schema",
    "Create a {T} table", "Create table {T}", "Make a {T} table", "Design a {T} table",
    "Schema for {T}", "{T} schema", "{T} table please", "I need a {T} table",
    "Give me a schema for {T}", "Please generate a schema for the {T} table",
    "Create a table for {E}", "Design a database table for {E}",
    "I need a table to store {E}", "Make a table for {E}", "Generate a schema for {E}",
    "Write a table definition for {E}", "Can you create a table for {E}?",
    "table for {E}", "We need to track {E}. Make a table.",
    "Create a table where each row is a {S}", "Design a table with one row per {S}",
    "Generate a table definition: {T}", "Define the {T} table", "new table: {T}",
    "Create a database schema for {E}", "Propose columns for a {T} table",
]
HELDOUT_ENTITY_TEMPLATES = [
    "Generate a {T} schema",  # the lab's own phrasing, kept in eval on purpose
    "Could you design a {T} table for me?", "Set up a {T} table",
    "I want a table for {E}", "Produce the schema of a {T} table",
    "Help me create a table to hold {E}", "What columns should a {T} table have?",
    "Table schema: {T}",
]
TRAIN_COLUMN_TEMPLATES = [
    "Create a table for {E} with {C}", "I need a {T} table: {C}",
    "{T} table with columns {C}", "Generate a {T} schema with {C}",
    "Make a {T} table with fields {C}", "Create table {T} ({C})",
    "Design a table for {E}. Columns: {C}", "Create a {T} table that has {C}",
    "Schema for {T} with the columns {C}", "Build a {T} table containing {C}",
    "Table {T}: {C}", "Generate a table for {E} having {C}",
    "I need a table for {E} with {C}", "Create a {T} table; include {C}",
]
HELDOUT_COLUMN_TEMPLATES = [
    "Please make a {T} table that stores {C}", "Give me a {T} table with {C}",
    "Create the {T} table. It needs {C}", "Set up a table for {E} with columns {C}",
    "Generate a {T} schema including {C}",
]

# Training phrasings are also composed from parts (lead + verb + object frame
# [+ columns] + tail), some 10^5 surface forms, so that the model learns where
# the entity and the columns stand in a request rather than a list of
# sentences. None of the parts uses the held-out phrasings' cue words ("set
# up", "hold", "stores", "needs", "including", "should", "produce", "for me",
# "help me", "I want", "Could you"; checked in Generator.__init__), so no
# composed prompt is a held-out phrasing (check_data.py checks the data).
# "me" stands around the request as well as in "Give me": a model that had met
# it only right before the object ("Show me a ...") named the table "me" for
# "Could you design a {T} table for me?" (64% on run C's probe with "for me",
# 89% with "for us"), and began a name at "me" after an opener ("Assist me to
# create ..." 4%). "for me" and "help me" themselves stay held-out cues.
LEADS = ["", "", "", "Please ", "Can you ", "Would you ", "I'd like you to ", "Kindly ",
         "Now ", "Quick task: ", "Hey, ", "Hi! ", "We need you to ", "Go ahead and ",
         "Next, ", "OK, ", "Task: ", "Hello! ", "Urgent: ", "Alright, ", "Right, ",
         "For the new service, ", "As our DBA, ", "Team, ", "Today ", "Assistant, ",
         "Let me ", "Let us ", "Allow me to ", "Please let me "]
VERBS = ["Generate", "Create", "Make", "Design", "Build", "Write", "Draft", "Define",
         "Sketch", "Prepare", "Give me", "Show me", "Construct", "Model", "Add", "Output",
         "Return", "Draw up", "Put together", "Come up with", "Lay out", "Spec out"]
OBJECT_FRAMES = [
    "a {T} schema", "the {T} schema", "a {T} table", "the {T} table", "a schema for {T}",
    "a table called {T}", "a table named {T}", "the schema for the {T} table",
    "a database table {T}", "a {T} table definition", "an SQL table {T}", "the {T} entity",
    "a new {T} table", "a {T} database schema", "the table {T}", "a schema named {T}",
    "a table for {E}", "a schema for {E}", "a table to track {E}", "a table of {E}",
    "a table listing {E}", "a database table for {E}", "a table that records {E}",
    "a table that contains {E}", "a table to keep {E} in", "a schema to manage {E}",
    "a table for our {E}", "a table where each row is a {S}",
    "a table with one row per {S}", "a table describing a {S}", "a record type for a {S}",
    "a table to {V} {E}", "a table used to {V} {E}", "a schema to {V} {E}",
]
# verbs for the "a table to {V} {E}" frames: the entity follows whatever verb
# stands there, known or not
TO_VERBS = ["track", "record", "list", "manage", "log", "save", "keep track of", "capture",
            "collect", "register", "catalog", "archive", "organize", "monitor", "follow",
            "remember", "index", "persist", "describe", "look after", "account for"]
BARE_FRAMES = ["{T} schema", "{T} table", "Schema for {T}", "table: {T}", "new table {T}",
               "{T}?", "Entity: {T}", "{T} please", "Table for {E}", "{E} table",
               "schema, {T}", "SQL table {T}", "{T} (table)", "Need: {T} table"]
COLUMN_LINKS = [" with {C}", " with columns {C}", " with the fields {C}", ": {C}", " ({C})",
                ". Columns: {C}", " having {C}", " containing {C}", "; include {C}",
                " that has {C}", ". Fields: {C}", " with these columns: {C}",
                ". It has to contain {C}", " made of {C}", " whose columns are {C}",
                " that tracks {C}", ", columns {C}", " - {C}", " with fields: {C}",
                ". Add {C}", " with {C} as columns", " that keeps {C}"]
# Column links with a verb slot ("... table that {W} {C}"): the filler (below)
# teaches that unseen words after the table can be ignored, and these keep
# an unseen link word ("It needs", "that stores") from hiding the list after
# it. With --filler the verb is sometimes an unseen one (see pick_link).
VERB_LINKS = [" that {W} {C}", ". It {W} {C}", ". Each row {W} {C}", ", and it {W} {C}",
              " which {W} {C}", ". This table {W} {C}", " - it {W} {C}", " so it {W} {C}"]
# Participle links (--participle): an unseen verb's -ing form, bare (see pick_link)
PARTICIPLE_LINKS = [" {W} {C}", ", {W} {C}", " {W} the columns {C}", " {W} the fields {C}"]
LINK_VERBS = ["has", "keeps", "tracks", "records", "lists", "contains", "carries", "saves",
              "logs", "gets", "takes", "wants", "uses", "requires", "captures", "remembers",
              "describes", "covers", "features", "shows", "gives", "must have", "is made of"]
TAILS = ["", "", "", ".", "?", " please", " for our app", " for my project", " in SQL",
         ", thanks", "!", " for the backend", " for a web shop", ". Thanks!", " for us",
         " for the team", " for them", " for our startup", " for this service", " today",
         " asap", " for a client"]
HELDOUT_CUES = ("set up", "hold", "stores", "needs", "including", "should", "produce",
                "for me", "help me", "i want", "could you", "table schema:")


# Filler (--filler): words around the entity that the model has never seen,
# so that novelty does not mark the entity; where it stands does. Without it
# most misses were the first piece of the name: an unseen opener or closing
# ("Set up a crops table", "... table for me?") was copied as the name. For
# a share of the composed prompts the verb, the opener or the closing comes
# from these lists, is a made-up word (nonsense_word) or is real English the
# fixed parts never use (english.py, see filler_words).
FILLER_VERBS = ["Whip up", "Knock out", "Cook up", "Fix up", "Jot down", "Mock up", "Map out",
                "Work out", "Hash out", "Pull together", "Craft", "Devise", "Assemble",
                "Compose", "Plan", "Establish", "Form", "Shape", "Frame", "Code", "Ship",
                "Deliver", "Provide", "Supply", "Offer", "Propose", "Suggest", "Specify",
                "Outline", "Formulate", "Invent", "Engineer", "Forge", "Start", "Open",
                "Begin", "Bootstrap", "Spin up", "Stand up", "Scaffold", "Stub out",
                "Lay down", "Pencil in", "Dream up", "Conjure", "Hammer out", "Cobble together",
                "Fire up", "Kick off", "Get", "Fetch", "Bring", "Find", "Think of", "Picture",
                "Imagine", "Plot", "Rough out", "Type up", "Whip together", "Derive", "Emit",
                "Print", "Render", "Spell out", "Lay", "Place", "Arrange", "Declare"]
FILLER_LEADS = ["So, ", "Listen, ", "Yo, ", "Friend, ", "Bob here. ", "Heya, ", "Look, ",
                "Okay so ", "One more thing: ", "Before lunch, ", "If you can, ", "Anyway, ",
                "Boss says: ", "From ops: ", "Ticket 42: ", "Dear bot, ", "Morning! ",
                "Real quick, ", "Honestly, ", "Simple one: ", "Per the spec, ", "Sam asks: ",
                "Excuse me, ", "Tell me, ", "Do me a favor: ", "Remind me: "]
FILLER_TAILS = [" for my boss", " for the report", " by friday", " for Dana", " if possible",
                " when you can", " ok?", " real quick", " for the demo", " for reporting",
                " for him", " for her", " for you", " for everyone", " for all of us",
                " now", " tonight", " again", " as usual", " like before", " right away",
                " for later", " in postgres", " in sqlite", " for the audit", " pls",
                " for Sam and Kim", " thx", " for my team?", " for our shop?", " and send it to me",
                ", ping me", " to me", " with me?", " by me", " to them", " with us"]


def phrase(n, draw, capital=False):
    """n words from draw(), joined by spaces; the first Capitalized if asked."""
    words = [draw() for _ in range(n)]
    if capital:
        words[0] = words[0].capitalize()
    return " ".join(words)


def made_up_words(rng, n, capital=False):
    return phrase(n, lambda: nonsense_word(rng), capital)


def third_person(verb):
    if verb.endswith(("s", "sh", "ch", "x", "z")):
        return verb + "es"
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


@lru_cache(maxsize=None)
def filler_words():
    """(verbs, other words, both) from english.py that may stand in a filler slot:
    none is a word of an entity, a composition part or a column (a filler
    word must never be a name the answer could hold), a held-out name's word,
    or carries a held-out cue ("holder", "needed")."""
    known = {w for name in list(parse_entities()) + MODIFIERS + list(HEADS) + EXTRA_COLUMNS
             for w in name.split("_")}
    banned = known | {singular(w) for w in known} | heldout_words()
    stems = [c for c in HELDOUT_CUES if " " not in c] + ["need", "store", "includ", "help",
                                                         "want", "could", "set", "schema"]

    def ok(w):
        return w not in banned and singular(w) not in banned and not any(c in w for c in stems)
    verbs = [v for v in english.VERBS if ok(v) and ok(third_person(v))]
    words = [w for w in english.WORDS if ok(w)]
    return verbs, words, words + verbs


def real_words(rng, n, capital=False):
    every = filler_words()[2]
    return phrase(n, lambda: rng.choice(every), capital)


def real_verb(rng, capital=False):
    """A real verb the fixed lists do not use, now and then with a particle
    ("Trim down")."""
    verb = rng.choice(filler_words()[0])
    if rng.random() < 0.25:
        verb += rng.choice([" up", " out", " down", " together", " in"])
    return verb.capitalize() if capital else verb


def unseen(rng, listed, made_up, real):
    """One unseen-looking filler part: from a FILLER_* list (40%), made up
    (30%) or real English words the training parts never use (30%)."""
    r = rng.random()
    return listed() if r < 0.4 else made_up() if r < 0.7 else real()


def pronoun_lead(rng):
    """An unseen verb asking on someone's behalf right before the request's
    own verb ("Assist me create a table to ...", "Urge us to make ..."): the
    name must not start at the opener or at the pronoun, which runs C-Q did
    when an unseen opener ended in "me" (--pronoun-leads). Run R tried it
    and still did so (models/README.md); it is off by default."""
    verb = made_up_words(rng, 1, capital=True) if rng.random() < 0.3 else real_verb(rng, True)
    return verb + rng.choice([" me ", " me to ", " us ", " us to "])


def filler_parts(rng, filler, bare_tail=True, pronoun=0.0):
    """(lead, verb, tail, which) for a composed prompt; with probability
    `filler` one or more of them is unseen-looking (see unseen), and `which`
    says which ("verb", "lead", "tail", "all"; "" for none). Without
    bare_tail (the entity ends the frame, in words: "a table for player
    documents"), an unseen tail opens with a preposition: made-up or rare
    words right after spaced words would be indistinguishable from more of
    the name, and taught the model to stop a spaced name early. With
    probability `pronoun` an unseen lead is a pronoun_lead."""
    lead, verb, tail = rng.choice(LEADS), rng.choice(VERBS), rng.choice(TAILS)
    if not filler or rng.random() >= filler:
        return lead, verb, tail, ""
    which = rng.choice(["verb", "verb", "lead", "tail", "tail", "all"])
    if which in ("verb", "all"):
        verb = unseen(rng, lambda: rng.choice(FILLER_VERBS),
                      lambda: made_up_words(rng, rng.choice([1, 1, 2]), capital=True),
                      lambda: real_verb(rng, capital=True))
    if which in ("lead", "all") and pronoun and rng.random() < pronoun:
        lead = pronoun_lead(rng)
    elif which in ("lead", "all"):
        lead = unseen(rng, lambda: rng.choice(FILLER_LEADS),
                      lambda: made_up_words(rng, rng.choice([1, 2]), capital=True)
                      + rng.choice([", ", ": ", "! "]),
                      lambda: real_words(rng, rng.choice([1, 2]), capital=True)
                      + rng.choice([", ", ": ", "! ", ". ", " "]))
    if which in ("tail", "all"):
        opener = [" for ", " ", " to ", " by "] if bare_tail else [" for ", " with ", " to ", " by "]
        tail = unseen(rng, lambda: rng.choice(FILLER_TAILS),
                      lambda: rng.choice(opener)
                      + made_up_words(rng, rng.choice([1, 1, 2])) + rng.choice(["", "", "?", "."]),
                      lambda: rng.choice(opener)
                      + real_words(rng, rng.choice([1, 1, 2])) + rng.choice(["", "", "?", "."]))
    return lead, verb, tail, which


def pick_frame(rng, frames, filler=0.0, verb_frames=0.0):
    """An object frame; with probability verb_frames one with a verb before the
    entity ("a table to {V} {E}"), whose verb is unseen-looking with
    probability filler."""
    with_verb = [f for f in frames if "{V}" in f]
    frame = rng.choice(with_verb if verb_frames and rng.random() < verb_frames else frames)
    if "{V}" not in frame:
        return frame
    verb = rng.choice(TO_VERBS)
    if filler and rng.random() < filler:  # a verb the model has not seen there
        verb = unseen(rng, lambda: rng.choice(FILLER_VERBS).lower(),
                      lambda: nonsense_word(rng), lambda: real_verb(rng))
    return frame.replace("{V}", verb)


def gerund(verb):
    """The -ing form of a verb's first word ("trim down" -> "triming down":
    spelled loosely, which is only one more unseen word)."""
    first, _, rest = verb.partition(" ")
    if first.endswith("ie"):
        first = first[:-2] + "y"
    elif first.endswith("e") and not first.endswith(("ee", "ye", "oe")) and len(first) > 2:
        first = first[:-1]
    return first + "ing" + (" " + rest if rest else "")


def pick_link(rng, filler=0.0, unseen_verb=False, participle=0.0):
    """How the column list hangs on the table: a fixed link, or (with
    --filler, a third of the time, and always with unseen_verb) one with a
    verb: a known one or, always with unseen_verb, an unseen one (made up or
    a real verb the lists do not use). With probability `participle` an
    unseen verb stands bare in its -ing form (" {W}ing {C}"): the link then
    reads like the verb frames before an entity ("a schema to {V} {E}"),
    and only the table word before it says the name is already given."""
    if not unseen_verb and (not filler or rng.random() >= 1 / 3):
        return rng.choice(COLUMN_LINKS)
    if not unseen_verb and rng.random() < 0.6:
        verb = rng.choice(LINK_VERBS)
    elif participle and rng.random() < participle:
        verb = nonsense_word(rng) if rng.random() < 0.5 else real_verb(rng)
        return rng.choice(PARTICIPLE_LINKS).replace("{W}", gerund(verb))
    else:  # (a real verb with a particle reads "trim downs": one more unseen word)
        verb = nonsense_word(rng) + "s" if rng.random() < 0.5 else third_person(real_verb(rng))
    return rng.choice(VERB_LINKS).replace("{W}", verb)


def question_tail(rng, tail, question=0.0):
    """With probability `question`, a closing that names someone or something
    after a preposition (" for us", " for the team") ends in "?": "a {T}
    table for us?" then reads like "a table for {E}?", and only the name
    before "table" says which is the entity."""
    if question and tail.startswith((" for ", " to ", " with ", " by ")) \
            and not tail.endswith(("?", ".", "!")) and rng.random() < question:
        return tail + "?"
    return tail


def compose_entity(rng, filler=0.0, verb_frames=0.0, question=0.0, participle=0.0,
                   pronoun=0.0):
    if rng.random() < 0.12:
        return rng.choice(BARE_FRAMES)
    frame = pick_frame(rng, OBJECT_FRAMES, filler, verb_frames)
    lead, verb, tail, _ = filler_parts(rng, filler, bare_tail=not frame.endswith(("{E}", "{S}")),
                                       pronoun=pronoun)
    tail = question_tail(rng, tail, question)
    if lead:
        verb = verb[0].lower() + verb[1:]
    text = lead + verb + " " + frame + tail
    return text[0].upper() + text[1:]


def compose_columns(rng, filler=0.0, verb_frames=0.0, question=0.0, participle=0.0,
                    pronoun=0.0):
    if rng.random() < 0.12:
        frame = rng.choice(BARE_FRAMES).rstrip("?")
        return frame + rng.choice(COLUMN_LINKS)
    # no closing (the list ends the prompt): a filler draw of the closing
    # puts an unseen verb in the link instead
    lead, verb, _, which = filler_parts(rng, filler, pronoun=pronoun)
    if lead:
        verb = verb[0].lower() + verb[1:]
    frame = pick_frame(rng, [f for f in OBJECT_FRAMES if not f.endswith(" in")], filler,
                       verb_frames)
    # a bare participle right after an entity in words ("a table listing
    # player documents kelusing ...") could be more of the name: run J, with
    # such rows, stopped spaced names early (words-form entities 86% -> 69%)
    if frame.endswith(("{E}", "{S}")):
        participle = 0.0
    link = pick_link(rng, filler, unseen_verb=which in ("tail", "all"), participle=participle)
    text = lead + verb + " " + frame + link + rng.choice(["", "", ".", " please"])
    return text[0].upper() + text[1:]


MISSPELL = {"Generate": ["Genrate", "Generat", "Gnerate"], "generate": ["genrate", "generat"],
            "schema": ["shema", "scheme", "schma"], "table": ["tabel", "tble", "tabl"],
            "Create": ["Creat", "Craete"], "create": ["creat", "craete"],
            "columns": ["colums", "collumns"], "Design": ["Desing"], "with": ["wiht", "wth"]}


def misspell(rng, text):
    words = text.split(" ")
    idx = [i for i, w in enumerate(words) if w in MISSPELL]
    if idx:
        i = rng.choice(idx)
        words[i] = rng.choice(MISSPELL[words[i]])
    return " ".join(words)


def vary_case(rng, text, protect):
    r = rng.random()
    if r < 0.06:
        return text.upper()
    if r < 0.16:
        return text.lower()
    if r < 0.22:
        return text[0].lower() + text[1:] if text else text
    return text


def column_phrase(rng, col):
    r = rng.random()
    if col in COLUMN_PHRASES and r < 0.35:
        return rng.choice(COLUMN_PHRASES[col])
    if r < 0.6 and "_" in col:
        return col.replace("_", " ")
    return col


def join_phrases(rng, phrases):
    if len(phrases) == 1:
        return phrases[0]
    style = rng.random()
    if style < 0.55:
        return ", ".join(phrases[:-1]) + " and " + phrases[-1]
    if style < 0.85:
        return ", ".join(phrases)
    return ", ".join(phrases[:-1]) + ", and " + phrases[-1]


def table_forms(rng, table):
    """(identifier form, natural plural words, natural singular words)."""
    words = table.split("_")
    r = rng.random()
    if r < 0.8:
        ident = table
    elif r < 0.92:
        ident = camel(table)
    else:
        ident = table.upper()
    nat = " ".join(words)
    sing = " ".join(words[:-1] + [singular(words[-1])])
    return ident, nat, sing


# columns for names with no columns of their own (made-up and remixed names)
GENERIC_COLUMNS = [["name", "description"], ["name", "status"], ["title", "notes"],
                   ["name", "description", "is_active"], ["name", "value"]]


def nonsense_word(rng):
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


HELDOUT_SEED = 1001
VOWEL_ARTICLE = re.compile(r"\b([Aa]) (?=[AEIOUaeiou])")


def heldout_words():
    """Every word of a held-out name (base entities, heads, modifiers), also
    in the singular."""
    words = HELDOUT_HEADS | HELDOUT_MODIFIERS | {w for n in HELDOUT_BASE for w in n.split("_")}
    return words | {singular(w) for w in words}


def compound_names(train_entities):
    """english.COMPOUNDS less any that is a training entity or column name or
    has a held-out name's word inside it ("timesheets": "time")."""
    banned = {w for w in heldout_words() if len(w) > 2}
    taken = set(train_entities) | set(EXTRA_COLUMNS)
    return [c for c in english.COMPOUNDS
            if c not in taken and singular(c) not in taken and not any(w in c for w in banned)]


def remix_words(train_entities):
    """Words for remixed training names: those of the training entities,
    composition parts and extra columns, less every word of a held-out name."""
    banned = heldout_words()
    words = set()
    for name in list(train_entities) + MODIFIERS + list(HEADS) + EXTRA_COLUMNS:
        words.update(w for w in name.split("_") if len(w) > 2 and w.isalpha())
    return sorted(w for w in words if w not in banned and singular(w) not in banned
                  and w not in ("has", "the", "and"))


def check_composed_parts():
    """Fails if a training template, or a part of the composed training
    phrasings, carries a held-out phrasing's cue word."""
    for p in (LEADS + VERBS + OBJECT_FRAMES + TO_VERBS + BARE_FRAMES + COLUMN_LINKS + TAILS
              + FILLER_VERBS + FILLER_LEADS + FILLER_TAILS + VERB_LINKS + LINK_VERBS + PARTICIPLE_LINKS
              + TRAIN_ENTITY_TEMPLATES + TRAIN_COLUMN_TEMPLATES):
        for cue in HELDOUT_CUES:
            if cue in p.lower():
                raise SystemExit(f"training phrasing part {p!r} uses held-out cue {cue!r}")


class Generator:
    def __init__(self, seed, heldout, nonsense=0.2, composed=0.0, an=0.0, remix=0.0, filler=0.0,
                 named=0.45, compound=0.0, verb_frames=0.0, question=0.0, participle=0.0,
                 pronoun=0.0):
        self.rng = random.Random(seed)
        self.pronoun = 0.0 if heldout else pronoun
        self.verb_frames = 0.0 if heldout else verb_frames
        self.question = 0.0 if heldout else question
        self.participle = 0.0 if heldout else participle
        self.compound = 0.0 if heldout else compound
        self.named = named
        self.filler = 0.0 if heldout else filler
        self.nonsense = nonsense
        self.remix = 0.0 if heldout else remix
        self.heldout = heldout
        ents = parse_entities()
        self.entities = {}
        for name, cols in ents.items():
            if (name in HELDOUT_BASE) == heldout:
                self.entities[name] = cols
        self.composed = []
        for m in MODIFIERS:
            for h, cols in HEADS.items():
                is_held = h in HELDOUT_HEADS or m in HELDOUT_MODIFIERS
                if is_held == heldout:
                    self.composed.append((m + "_" + h, [m + "_id"] + cols.split()))
        self.entity_names = sorted(self.entities)
        self.extra = EXTRA_COLUMNS
        self.ent_tpl = HELDOUT_ENTITY_TEMPLATES if heldout else TRAIN_ENTITY_TEMPLATES
        self.col_tpl = HELDOUT_COLUMN_TEMPLATES if heldout else TRAIN_COLUMN_TEMPLATES
        # training only: composed phrasings (the held-out stream is left as it was)
        self.composed_share = 0.0 if heldout else composed
        self.an_share = 0.0 if heldout else an
        if not heldout:
            check_composed_parts()
            self.remix_words = remix_words(self.entity_names)
            self.compounds = compound_names(self.entity_names)

    def pick_entity(self):
        rng = self.rng
        if self.compound and rng.random() < self.compound:  # one glued word: "bookmarks"
            return rng.choice(self.compounds), rng.choice(GENERIC_COLUMNS)
        if self.remix and rng.random() < self.remix:
            return self.remixed_entity()
        r = rng.random()
        if r < (1 - self.nonsense) * 0.5625:
            name = rng.choice(self.entity_names)
            return name, self.entities[name]
        if r < 1 - self.nonsense:
            return rng.choice(self.composed)
        # nonsense entity: generic columns
        n_words = rng.choice([1, 1, 2])
        words = [nonsense_word(rng) for _ in range(n_words)]
        words[-1] = plural(words[-1])
        return "_".join(words), rng.choice(GENERIC_COLUMNS)

    def remixed_entity(self):
        """A new name made of 1-3 known words ("invoice_tenant_photos"): real
        words in combinations never seen, so the name must be copied from the
        prompt, not recalled from a prefix."""
        rng = self.rng
        words = [singular(rng.choice(self.remix_words)) for _ in range(rng.choice([1, 2, 2, 2, 3]))]
        if rng.random() < 0.5:
            head = rng.choice(sorted(h for h in HEADS if h not in HELDOUT_HEADS))
            words[-1] = head
            cols = [words[0] + "_id"] + HEADS[head].split() if len(words) > 1 else HEADS[head].split()
        else:
            words[-1] = plural(words[-1])
            cols = rng.choice(GENERIC_COLUMNS)
        return "_".join(dict.fromkeys(words)), cols

    def template(self, fixed, compose):
        if self.composed_share and self.rng.random() < self.composed_share:
            while True:  # filler words may happen to spell a cue ("... for meba")
                tpl = compose(self.rng, self.filler, self.verb_frames, self.question,
                              self.participle, self.pronoun)
                if not any(cue in tpl.lower() for cue in HELDOUT_CUES):
                    return tpl
        return self.rng.choice(fixed)

    def example(self):
        rng = self.rng
        table, specific = self.pick_entity()
        ident, nat, sing = table_forms(rng, table)
        named = rng.random() < self.named
        if named:
            k = rng.randint(1, 6)
            pool = [c for c in specific] + rng.sample(self.extra, 8)
            if rng.random() < 0.2:
                pool.append(nonsense_word(rng) + rng.choice(["", "_id", "_at", "_count", "_name"]))
            cols = dedupe(rng.sample(pool, min(k, len(pool))))
            if rng.random() < 0.3:
                cols = dedupe(["id"] + cols)
            phrases = [column_phrase(rng, c) for c in cols]
            tpl = self.template(self.col_tpl, compose_columns)
            user = tpl.format(T=ident, E=nat, S=sing, C=join_phrases(rng, phrases))
            answer_cols = dedupe(["id"] + cols)
        else:
            tpl = self.template(self.ent_tpl, compose_entity)
            user = tpl.format(T=ident, E=nat, S=sing)
            cols = []
            answer_cols = proposed_columns(table, specific)
        if self.an_share and rng.random() < self.an_share:
            user = VOWEL_ARTICLE.sub(lambda m: m.group(1) + "n ", user)  # "an orders table"
        if rng.random() < 0.12:
            user = misspell(rng, user)
        user = vary_case(rng, user, ident)
        return {"user": user, "assistant": answer_json(table, answer_cols), "table_name": table,
                "named_columns": cols, "phrasing": tpl}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--train", type=int, default=60000)
    ap.add_argument("--heldout", type=int, default=400)
    ap.add_argument("--corpus", type=int, default=20000, help="chats in corpus.txt")
    ap.add_argument("--nonsense", type=float, default=0.2,
                    help="share of training entities that are made-up words (copy practice)")
    ap.add_argument("--composed", type=float, default=0.0,
                    help="share of training phrasings composed from parts (see compose_entity)")
    ap.add_argument("--remix", type=float, default=0.0,
                    help="share of training entities named by new combinations of known words")
    ap.add_argument("--an", type=float, default=0.0,
                    help='share of training prompts that write "an" before a vowel ("an orders table")')
    ap.add_argument("--named", type=float, default=0.45,
                    help="share of training prompts that name columns (the held-out set: 0.45)")
    ap.add_argument("--filler", type=float, default=0.0,
                    help="share of composed prompts with an unseen-looking verb, opener or "
                         "closing (see filler_parts)")
    ap.add_argument("--compound", type=float, default=0.0,
                    help='share of training entities that are one closed compound ("bookmarks")')
    ap.add_argument("--verb-frames", type=float, default=0.0,
                    help='share of composed prompts whose object frame has a verb before the '
                         'entity ("a table to record {E}"; see pick_frame)')
    ap.add_argument("--question", type=float, default=0.0,
                    help='share of composed closings after a preposition that end in "?" '
                         '("a {T} table for us?"; see question_tail)')
    ap.add_argument("--participle", type=float, default=0.0,
                    help='share of unseen-verb column links with a bare -ing verb '
                         '("a {T} schema featuring {C}"; see pick_link)')
    ap.add_argument("--pronoun-leads", type=float, default=0.0,
                    help='share of unseen openers that are a verb and "me"/"us" before the '
                         'request\'s verb ("Assist me create ..."; see pronoun_lead)')
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    system = lab_system_message()
    with open(os.path.join(args.out, "system.txt"), "w") as f:
        f.write(system)

    # The held-out set does not depend on --seed: every training set excludes the same one.
    held = Generator(HELDOUT_SEED, heldout=True)
    held_rows, seen = [], set()
    while len(held_rows) < args.heldout:
        ex = held.example()
        if ex["user"] in seen:
            continue
        seen.add(ex["user"])
        held_rows.append(ex)
    held_names = {r["table_name"] for r in held_rows}

    gen = Generator(args.seed, heldout=False, nonsense=args.nonsense, composed=args.composed,
                    an=args.an, remix=args.remix, filler=args.filler, named=args.named,
                    compound=args.compound, verb_frames=args.verb_frames,
                    question=args.question, participle=args.participle,
                    pronoun=args.pronoun_leads)
    train_rows = []
    while len(train_rows) < args.train:
        ex = gen.example()
        if ex["user"] in seen or ex["table_name"] in held_names:
            continue
        train_rows.append(ex)

    for fname, rows in (("train.jsonl", train_rows), ("heldout.jsonl", held_rows)):
        with open(os.path.join(args.out, fname), "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
    with open(os.path.join(args.out, "corpus.txt"), "w") as f:
        for r in train_rows[:args.corpus]:
            f.write(render_chat(system, r["user"], r["assistant"]) + "\n")
    print(f"train {len(train_rows)}  heldout {len(held_rows)} "
          f"({len(held_names)} tables)  system {len(system)} chars")


if __name__ == "__main__":
    main()
