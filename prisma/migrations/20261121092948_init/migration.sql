-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');

-- CreateEnum
CREATE TYPE "MarketStatus" AS ENUM ('DRAFT', 'OPEN', 'HALTED', 'CLOSED', 'RESOLVED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "Outcome" AS ENUM ('YES', 'NO');

-- CreateEnum
CREATE TYPE "Side" AS ENUM ('BUY', 'SELL');

-- CreateEnum
CREATE TYPE "OrderType" AS ENUM ('LIMIT', 'MARKET');

-- CreateEnum
CREATE TYPE "TimeInForce" AS ENUM ('GTC', 'GTD', 'IOC', 'FOK');

-- CreateEnum
CREATE TYPE "StpMode" AS ENUM ('CANCEL_TAKER', 'CANCEL_MAKER', 'CANCEL_BOTH');

-- CreateEnum
CREATE TYPE "OrderStatus" AS ENUM ('OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'EXPIRED');

-- CreateEnum
CREATE TYPE "TradeKind" AS ENUM ('TRANSFER', 'MINT', 'MERGE');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'USER',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "refresh_tokens" (
    "id" UUID NOT NULL,
    "family_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "refresh_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "accounts" (
    "user_id" UUID NOT NULL,
    "available_cents" BIGINT NOT NULL,
    "locked_cents" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "system_accounts" (
    "id" TEXT NOT NULL,
    "balance_cents" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "system_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "markets" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "question" VARCHAR(140) NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "status" "MarketStatus" NOT NULL DEFAULT 'DRAFT',
    "outcome" "Outcome",
    "closes_at" TIMESTAMPTZ(3),
    "tick_cents" INTEGER NOT NULL DEFAULT 1,
    "resolver_id" UUID,
    "seq" BIGINT NOT NULL DEFAULT 0,
    "pairs_outstanding" BIGINT NOT NULL DEFAULT 0,
    "collateral_cents" BIGINT NOT NULL DEFAULT 0,
    "last_yes_price_cents" INTEGER,
    "volume_shares" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "markets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "orders" (
    "id" BIGINT NOT NULL,
    "user_id" UUID NOT NULL,
    "market_id" UUID NOT NULL,
    "side" "Side" NOT NULL,
    "outcome" "Outcome" NOT NULL,
    "type" "OrderType" NOT NULL,
    "price_cents" INTEGER,
    "qty" INTEGER NOT NULL,
    "remaining_qty" INTEGER NOT NULL,
    "filled_qty" INTEGER NOT NULL,
    "time_in_force" "TimeInForce" NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "post_only" BOOLEAN NOT NULL,
    "stp" "StpMode" NOT NULL,
    "max_cost_cents" BIGINT,
    "client_order_id" TEXT,
    "queue_seq" BIGINT NOT NULL,
    "status" "OrderStatus" NOT NULL,
    "reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trades" (
    "id" BIGINT NOT NULL,
    "market_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "kind" "TradeKind" NOT NULL,
    "yes_price_cents" INTEGER NOT NULL,
    "qty" INTEGER NOT NULL,
    "maker_order_id" BIGINT NOT NULL,
    "taker_order_id" BIGINT NOT NULL,
    "maker_user_id" UUID NOT NULL,
    "taker_user_id" UUID NOT NULL,
    "maker_side" "Side" NOT NULL,
    "maker_outcome" "Outcome" NOT NULL,
    "taker_side" "Side" NOT NULL,
    "taker_outcome" "Outcome" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "trades_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "positions" (
    "user_id" UUID NOT NULL,
    "market_id" UUID NOT NULL,
    "yes_shares" BIGINT NOT NULL,
    "yes_locked_shares" BIGINT NOT NULL,
    "no_shares" BIGINT NOT NULL,
    "no_locked_shares" BIGINT NOT NULL,
    "yes_cost_cents" BIGINT NOT NULL,
    "no_cost_cents" BIGINT NOT NULL,
    "realised_pnl_cents" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "positions_pkey" PRIMARY KEY ("user_id","market_id")
);

-- CreateTable
CREATE TABLE "ledger_entries" (
    "id" BIGSERIAL NOT NULL,
    "debit_account" TEXT NOT NULL,
    "credit_account" TEXT NOT NULL,
    "amount_cents" BIGINT NOT NULL,
    "reason" TEXT NOT NULL,
    "market_id" UUID,
    "trade_id" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "resolutions" (
    "market_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "outcome" "Outcome",
    "resolver_id" UUID,
    "collateral_cents" BIGINT NOT NULL,
    "paid_cents" BIGINT NOT NULL,
    "house_cents" BIGINT NOT NULL,
    "holders" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "resolutions_pkey" PRIMARY KEY ("market_id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" BIGSERIAL NOT NULL,
    "user_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "market_id" UUID,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "read_at" TIMESTAMPTZ(3),

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "actor_id" UUID,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "payload" JSONB NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_keys" (
    "key" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "route" TEXT NOT NULL,
    "status_code" INTEGER NOT NULL,
    "response" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "refresh_tokens_family_id_idx" ON "refresh_tokens"("family_id");

-- CreateIndex
CREATE INDEX "refresh_tokens_user_id_idx" ON "refresh_tokens"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "markets_slug_key" ON "markets"("slug");

-- CreateIndex
CREATE INDEX "markets_status_created_at_idx" ON "markets"("status", "created_at");

-- CreateIndex
CREATE INDEX "markets_closes_at_idx" ON "markets"("closes_at");

-- CreateIndex
CREATE INDEX "orders_user_id_id_idx" ON "orders"("user_id", "id" DESC);

-- CreateIndex
CREATE INDEX "orders_user_id_status_id_idx" ON "orders"("user_id", "status", "id" DESC);

-- CreateIndex
CREATE INDEX "orders_market_id_status_idx" ON "orders"("market_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "orders_user_id_client_order_id_key" ON "orders"("user_id", "client_order_id");

-- CreateIndex
CREATE INDEX "trades_market_id_id_idx" ON "trades"("market_id", "id" DESC);

-- CreateIndex
CREATE INDEX "trades_maker_user_id_id_idx" ON "trades"("maker_user_id", "id" DESC);

-- CreateIndex
CREATE INDEX "trades_taker_user_id_id_idx" ON "trades"("taker_user_id", "id" DESC);

-- CreateIndex
CREATE INDEX "positions_market_id_idx" ON "positions"("market_id");

-- CreateIndex
CREATE INDEX "ledger_entries_debit_account_id_idx" ON "ledger_entries"("debit_account", "id" DESC);

-- CreateIndex
CREATE INDEX "ledger_entries_credit_account_id_idx" ON "ledger_entries"("credit_account", "id" DESC);

-- CreateIndex
CREATE INDEX "notifications_user_id_id_idx" ON "notifications"("user_id", "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "audit_log_hash_key" ON "audit_log"("hash");

-- AddForeignKey
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "resolutions" ADD CONSTRAINT "resolutions_market_id_fkey" FOREIGN KEY ("market_id") REFERENCES "markets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
