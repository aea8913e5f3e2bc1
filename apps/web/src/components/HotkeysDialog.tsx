import * as Dialog from '@radix-ui/react-dialog';
import { HOTKEYS } from './HotkeysHelp.tsx';

/** The list of keyboard shortcuts (opened by "?", see HotkeysHelp.tsx). */
export default function HotkeysDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog.Root open onOpenChange={(o) => { if (!o) onClose(); }}>
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
