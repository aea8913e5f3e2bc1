import { lazy, Suspense } from 'react';
import type { ConfirmProps } from './ConfirmDialog.tsx';

// The dialog code (Radix) loads on first use, not with the page.
const ConfirmDialog = lazy(() => import('./ConfirmDialog.tsx').then((m) => ({ default: m.ConfirmDialog })));

/** A confirmation dialog: title, body, a confirm and a cancel button (see ConfirmDialog.tsx). */
export function Confirm(props: ConfirmProps) {
  if (!props.open) return null;
  return (
    <Suspense fallback={null}>
      <ConfirmDialog {...props} />
    </Suspense>
  );
}
