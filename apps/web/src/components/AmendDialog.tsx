import * as Dialog from '@radix-ui/react-dialog';
import type { schemas } from '@prediction-markets/shared';
import { AmendRow } from './OrdersTable.tsx';

/** Amend one order from its ladder row: new price and/or new remaining quantity. */
export default function AmendDialog({ order, onClose }: { order: schemas.OrderDto; onClose: () => void }) {
  return (
    <Dialog.Root open onOpenChange={(o) => { if (!o) onClose(); }}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog" aria-describedby={undefined}>
          <Dialog.Title asChild>
            <h2>Amend order {order.id}</h2>
          </Dialog.Title>
          <p className="muted">
            {order.side} {order.outcome}: new limit price (¢) and new remaining quantity. Lowering the quantity keeps the order's place in the queue.
          </p>
          <AmendRow order={order} onDone={onClose} />
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
