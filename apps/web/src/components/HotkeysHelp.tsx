import { lazy, Suspense, useEffect, useState } from 'react';
import { isTyping } from '../lib/hooks.ts';

const HotkeysDialog = lazy(() => import('./HotkeysDialog.tsx'));

/** The keyboard shortcuts of the market page (handled in components/Ticket.tsx and pages/MarketPage.tsx). */
export const HOTKEYS: { keys: string[]; what: string }[] = [
  { keys: ['B'], what: 'Buy' },
  { keys: ['S'], what: 'Sell' },
  { keys: ['Y'], what: 'Outcome YES' },
  { keys: ['N'], what: 'Outcome NO' },
  { keys: ['L'], what: 'Limit order' },
  { keys: ['M'], what: 'Market order' },
  { keys: [']'], what: 'Price up 1¢' },
  { keys: ['['], what: 'Price down 1¢' },
  { keys: ['Shift', ']'], what: 'Price up 5¢' },
  { keys: ['Shift', '['], what: 'Price down 5¢' },
  { keys: ['Q'], what: 'Focus the quantity' },
  { keys: ['Ctrl', 'Enter'], what: 'Submit the order (also ⌘ Enter)' },
  { keys: ['X'], what: 'Cancel all my orders in this market (asks to confirm)' },
  { keys: ['?'], what: 'Show this help' },
];

/** The help overlay listing the shortcuts; opens with "?" anywhere (outside text fields). */
export function HotkeysHelp() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if (e.key === '?' && !isTyping(e)) {
        e.preventDefault();
        setOpen(true);
      }
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, []);
  if (!open) return null;
  return (
    <Suspense fallback={null}>
      <HotkeysDialog onClose={() => setOpen(false)} />
    </Suspense>
  );
}
