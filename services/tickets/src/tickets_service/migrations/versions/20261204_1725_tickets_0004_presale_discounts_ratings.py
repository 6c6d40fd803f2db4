"""Issue 19: pre-sale inquiries (§1, A1/A3), A5 discounts with each order's running total,
post-contact ratings (§9 CSAT) and refund follow-ups (the per-agent KPIs' sources).

Revision ID: tickets_0004
Revises: tickets_0003
Create Date: 2026-12-04 17:25:35.216180
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "tickets_0004"
down_revision: str | None = "tickets_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_ratings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("channel_rating_id", sa.Text(), nullable=False),
        sa.Column("contact_type", sa.String(length=16), nullable=False),
        sa.Column("contact_id", sa.Text(), nullable=False),
        sa.Column("agent", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_ratings")),
        sa.UniqueConstraint("channel", "channel_rating_id", name="uq_contact_ratings_channel_rating"),
    )
    op.create_index("ix_contact_ratings_agent_rated", "contact_ratings", ["agent", "rated_at"], unique=False)
    op.create_index("ix_contact_ratings_rated", "contact_ratings", ["rated_at", "id"], unique=False)
    op.create_table(
        "inquiries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("channel_message_id", sa.Text(), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("customer_handle", sa.Text(), server_default="", nullable=False),
        sa.Column("products", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("agent", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_reply_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("conversion_window_days", sa.Integer(), nullable=False),
        sa.Column("converts_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("converted_order_id", sa.String(length=64), nullable=True),
        sa.Column("converted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("converted_order_minor", sa.BigInteger(), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("failed_by", sa.Text(), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail_question", sa.Text(), nullable=True),
        sa.Column("detail_asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail_promised_via", sa.String(length=16), nullable=True),
        sa.Column("detail_answer", sa.Text(), nullable=True),
        sa.Column("detail_answered_by", sa.Text(), nullable=True),
        sa.Column("customer_told_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("customer_told_via", sa.String(length=16), nullable=True),
        sa.Column("followed_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("followed_up_by", sa.Text(), nullable=True),
        sa.Column("follow_up_outcome", sa.String(length=16), nullable=True),
        sa.Column("follow_up_note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiries")),
        sa.UniqueConstraint("channel", "channel_message_id", name="uq_inquiries_channel_message"),
    )
    op.create_index("ix_inquiries_agent_asked", "inquiries", ["agent", "asked_at"], unique=False)
    op.create_index("ix_inquiries_asked", "inquiries", ["asked_at", "id"], unique=False)
    op.create_index("ix_inquiries_converted_order", "inquiries", ["converted_order_id"], unique=False)
    op.create_index("ix_inquiries_customer_asked", "inquiries", ["customer_id", "asked_at"], unique=False)
    op.create_index("ix_inquiries_state_asked", "inquiries", ["state", "asked_at", "id"], unique=False)
    op.create_table(
        "presale_discount_orders",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("granted_minor", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_presale_discount_orders")),
    )
    op.create_table(
        "presale_discounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("inquiry_id", sa.Uuid(), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("merchant_id", sa.Text(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agent_limit_minor", sa.BigInteger(), nullable=False),
        sa.Column("granted_before_minor", sa.BigInteger(), nullable=True),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presale_discounts")),
    )
    op.create_index("ix_presale_discounts_order", "presale_discounts", ["order_id", "requested_at"], unique=False)
    op.create_index("ix_presale_discounts_requested", "presale_discounts", ["requested_at", "id"], unique=False)
    op.create_index(
        "ix_presale_discounts_state_requested", "presale_discounts", ["state", "requested_at", "id"], unique=False
    )
    op.create_table(
        "refund_follow_ups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("agent", sa.Text(), nullable=False),
        sa.Column("followed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_follow_ups")),
    )
    op.create_index("ix_refund_follow_ups_agent_at", "refund_follow_ups", ["agent", "followed_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_refund_follow_ups_agent_at", table_name="refund_follow_ups")
    op.drop_table("refund_follow_ups")
    op.drop_index("ix_presale_discounts_state_requested", table_name="presale_discounts")
    op.drop_index("ix_presale_discounts_requested", table_name="presale_discounts")
    op.drop_index("ix_presale_discounts_order", table_name="presale_discounts")
    op.drop_table("presale_discounts")
    op.drop_table("presale_discount_orders")
    op.drop_index("ix_inquiries_state_asked", table_name="inquiries")
    op.drop_index("ix_inquiries_customer_asked", table_name="inquiries")
    op.drop_index("ix_inquiries_converted_order", table_name="inquiries")
    op.drop_index("ix_inquiries_asked", table_name="inquiries")
    op.drop_index("ix_inquiries_agent_asked", table_name="inquiries")
    op.drop_table("inquiries")
    op.drop_index("ix_contact_ratings_rated", table_name="contact_ratings")
    op.drop_index("ix_contact_ratings_agent_rated", table_name="contact_ratings")
    op.drop_table("contact_ratings")
