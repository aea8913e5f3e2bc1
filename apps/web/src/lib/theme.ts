/** Light/dark theme: the user's choice (localStorage) or the OS preference; set on <html data-theme>. */
export type Theme = 'light' | 'dark';
const KEY = 'pm-theme';

export function currentTheme(): Theme {
  const stored = localStorage.getItem(KEY);
  if (stored === 'light' || stored === 'dark') return stored;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Fired on window when the theme changes (canvas components re-read their colours). */
export const THEME_EVENT = 'pm-theme-change';

export function setTheme(t: Theme): void {
  localStorage.setItem(KEY, t);
  document.documentElement.dataset.theme = t;
  window.dispatchEvent(new Event(THEME_EVENT));
}

export function initTheme(): void {
  document.documentElement.dataset.theme = currentTheme();
}
