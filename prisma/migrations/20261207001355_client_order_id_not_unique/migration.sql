-- DropIndex
DROP INDEX "orders_user_id_client_order_id_key";

-- CreateIndex
CREATE INDEX "orders_user_id_client_order_id_idx" ON "orders"("user_id", "client_order_id");
