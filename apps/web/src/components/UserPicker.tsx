/**
 * A user picker for the admin console (grants, designated resolvers): an ARIA combobox that
 * looks users up by email prefix (GET /api/admin/users through the SDK's `findUsers`) as the
 * admin types, with the matches in a listbox (arrow keys, Enter, Escape, or the pointer). A
 * pasted user id (UUID) is taken as it is. `onChange` gets the chosen user, or null while the
 * text names none.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { client, unwrapResult } from '../api/client.ts';

export interface PickedUser {
  id: string;
  /** Null when the id was pasted (not looked up). */
  email: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Most matches shown. */
const SHOWN = 8;
/** Wait this long after the last key before asking. */
const DEBOUNCE_MS = 200;

export function UserPicker({ label, value, onChange, required = false }: { label: string; value: PickedUser | null; onChange: (u: PickedUser | null) => void; required?: boolean }) {
  const [text, setText] = useState(value?.email ?? value?.id ?? '');
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const listId = useId();
  const input = useRef<HTMLInputElement | null>(null);
  // Text that names no user blocks the form's submit (the browser shows why).
  useEffect(() => {
    input.current?.setCustomValidity(text.trim() !== '' && value === null ? 'Choose a user from the list, or paste a user id' : '');
  }, [text, value]);

  // The parent cleared the choice (e.g. after a submit): clear the text too.
  useEffect(() => {
    if (value === null && text !== '' && !open) setText('');
    // Only when the value changes from outside.
  }, [value]);

  useEffect(() => {
    const q = text.trim();
    const t = setTimeout(() => setQuery(UUID.test(q) ? '' : q), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text]);

  const found = useQuery({
    queryKey: ['admin', 'users', query],
    queryFn: async () => unwrapResult(await client.findUsers({ query, limit: SHOWN })),
    enabled: query !== '',
    staleTime: 5_000,
  });
  const users = query === '' ? [] : (found.data?.users ?? []);
  const expanded = open && query !== '' && value === null;

  const choose = (u: { id: string; email: string }) => {
    onChange({ id: u.id, email: u.email });
    setText(u.email);
    setOpen(false);
  };
  const onText = (t: string) => {
    setText(t);
    setActive(0);
    setOpen(true);
    const q = t.trim();
    onChange(UUID.test(q) ? { id: q.toLowerCase(), email: null } : null);
  };

  return (
    <div className="combo">
      <label>
        {label}
        <input
          ref={input}
          role="combobox"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={expanded && users[active] !== undefined ? `${listId}-${active}` : undefined}
          required={required}
          value={text}
          placeholder="email or user id"
          autoComplete="off"
          onChange={(e) => onText(e.target.value)}
          onFocus={() => setOpen(true)}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
          onKeyDown={(e) => {
            if (!expanded) return;
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((i) => Math.min(i + 1, users.length - 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((i) => Math.max(i - 1, 0));
            } else if (e.key === 'Enter' && users[active] !== undefined) {
              e.preventDefault();
              choose(users[active]);
            } else if (e.key === 'Escape') {
              setOpen(false);
            }
          }}
        />
      </label>
      <ul id={listId} role="listbox" aria-label={`${label}: matching users`} className="combo-list" hidden={!expanded}>
        {users.map((u, i) => (
          <li
            key={u.id}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            onMouseDown={(e) => {
              e.preventDefault();
              choose(u);
            }}
          >
            {u.email} {u.role === 'ADMIN' ? <span className="badge">admin</span> : null}
          </li>
        ))}
        {expanded && found.isSuccess && users.length === 0 ? <li className="muted" aria-disabled="true">No user's email starts with “{query}”</li> : null}
      </ul>
      {value !== null ? <div className="muted combo-picked">User id <code>{value.id}</code></div> : null}
    </div>
  );
}
