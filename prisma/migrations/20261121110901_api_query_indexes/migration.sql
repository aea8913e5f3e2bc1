-- CreateIndex
CREATE INDEX "audit_log_action_id_idx" ON "audit_log"("action", "id" DESC);

-- CreateIndex
CREATE INDEX "audit_log_target_id_id_idx" ON "audit_log"("target_id", "id" DESC);

-- CreateIndex
CREATE INDEX "orders_user_id_market_id_id_idx" ON "orders"("user_id", "market_id", "id" DESC);

-- CreateIndex
CREATE INDEX "orders_status_queue_seq_idx" ON "orders"("status", "queue_seq");

-- CreateIndex
CREATE INDEX "trades_maker_order_id_idx" ON "trades"("maker_order_id");

-- CreateIndex
CREATE INDEX "trades_taker_order_id_idx" ON "trades"("taker_order_id");
