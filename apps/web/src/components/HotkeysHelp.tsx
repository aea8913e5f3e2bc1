import { useEffect, useState } from 'react';
import * as Dialog from '@radix-ui/react-dialog';
import { isTyping } from '../lib/hooks.ts';

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
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog" aria-describedby={undefined}>
          <Dialog.Title asChild>
            <h2>Keyboard shortcuts</h2>
          </Dialog.Title>
          <p className="muted">On a market page, outside text fields.</p>
          <table>
            <tbody>
              {HOTKEYS.map((h) => (
                <tr key={h.what}>
                  <td style={{ whiteSpace: 'nowrap' }}>
                    {h.keys.map((k, i) => (
                      <span key={k}>
                        {i > 0 ? ' + ' : ''}
                        <kbd>{k}</kbd>
                      </span>
                    ))}
                  </td>
                  <td>{h.what}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="dialog-actions">
            <Dialog.Close asChild>
              <button type="button">Close</button>
            </Dialog.Close>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
