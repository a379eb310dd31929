/** Tiny DOM helpers: elements are built with text nodes, never from HTML strings, so data can't inject markup. */

type Child = Node | string | number | false | null | undefined;
type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

/**
 * Creates an element; `on…` attributes become listeners, `true` booleans become empty attributes.
 *
 * @example
 * h('button', { type: 'button', onclick: () => revoke(id) }, 'Revoke');
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Element, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'number' ? String(child) : child);
  }
}

/** Replaces an element's content. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** Says something to screen readers (the polite live region). */
export function announce(message: string): void {
  const region = document.getElementById('announce');
  if (region) region.textContent = message;
}

/** `2026-11-29 12:00:05`, in the browser's time zone. */
export function dateTime(ms: number | undefined): string {
  if (ms === undefined) return '—';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `5 s ago`, `3 min ago`, `in 23 h`. */
export function relative(ms: number | undefined, now = Date.now()): string {
  if (ms === undefined) return 'never';
  const diff = ms - now;
  const abs = Math.abs(diff);
  const unit =
    abs < 60_000
      ? `${Math.round(abs / 1000)} s`
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 172_800_000
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / 86_400_000)} d`;
  return diff < 0 ? `${unit} ago` : `in ${unit}`;
}

/** Micro-dollars as `$12.34`. */
export function usd(micros: number): string {
  return `$${(micros / 1_000_000).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A table whose cells carry their column name, so the CSS can lay rows out as cards on a phone. */
export function table(
  caption: string,
  headers: readonly string[],
  rows: readonly Child[][],
): HTMLTableElement {
  return h(
    'table',
    {},
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, ...headers.map((name) => h('th', { scope: 'col' }, name)))),
    h(
      'tbody',
      {},
      ...rows.map((cells) =>
        h('tr', {}, ...cells.map((cell, i) => h('td', { 'data-label': headers[i] ?? '' }, cell))),
      ),
    ),
  );
}

/** An empty state that says what to do first. */
export function empty(title: string, ...what: Child[]): HTMLElement {
  return h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, title), h('p', {}, ...what));
}

/** A copyable command or value with a Copy button. */
export function copyable(value: string, label: string): HTMLElement {
  const input = h('input', { type: 'text', readonly: true, value, 'aria-label': label, class: 'copy-value' });
  const button = h('button', { type: 'button', class: 'secondary' }, 'Copy');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      input.select();
      document.execCommand('copy');
    }
    button.textContent = 'Copied';
    announce(`${label} copied`);
    setTimeout(() => {
      button.textContent = 'Copy';
    }, 1500);
  });
  return h('div', { class: 'copy' }, input, button);
}

/** A labelled form field. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
  );
}

/** A status line for a form: errors in red, read out at once. */
export function formStatus(): {
  element: HTMLElement;
  error(message: string): void;
  ok(message: string): void;
  clear(): void;
} {
  const element = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  return {
    element,
    error(message) {
      element.className = 'form-status error';
      element.textContent = message;
    },
    ok(message) {
      element.className = 'form-status ok';
      element.textContent = message;
    },
    clear() {
      element.className = 'form-status';
      element.textContent = '';
    },
  };
}

/** A section with a heading. */
export function section(title: string, ...children: Child[]): HTMLElement {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}
