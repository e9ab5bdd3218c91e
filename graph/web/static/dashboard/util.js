// @ts-check
// Helpers every part uses: element builders that keep data out of markup,
// date formatting that shows only what a precision says is known, debounce.

export const DAY_MS = 86400000;
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** @param {string} id @returns {any} the element with that id */
export const $ = (id) => document.getElementById(id);

// el builds an element; strings become text nodes, so data never reaches
// the DOM as markup.
/**
 * @param {string} tag
 * @param {Record<string, any> | null} [attrs]
 * @param {...any} children
 * @returns {HTMLElement}
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'className') node.className = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
/**
 * @param {string} tag
 * @param {Record<string, any> | null} [attrs]
 * @param {...any} children
 * @returns {SVGElement}
 */
export function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

export function humanize(enumName) {
  const s = enumName.toLowerCase().replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function truncate(text, max) {
  return text.length > max ? text.slice(0, max - 1).trimEnd() + '…' : text;
}

export function pad2(n) { return String(n).padStart(2, '0'); }

// formatInstant shows only what the precision says is known: a
// month-precise date is "May 2025", never "1 May 2025".
/** @param {string} iso @param {string} precision */
export function formatInstant(iso, precision) {
  const d = new Date(iso);
  const day = d.getUTCDate(), month = MONTHS[d.getUTCMonth()], year = d.getUTCFullYear();
  const hm = pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes());
  switch (precision) {
    case 'YEAR': return String(year);
    case 'MONTH': return month + ' ' + year;
    case 'DAY': return day + ' ' + month + ' ' + year;
    case 'MINUTE': return day + ' ' + month + ' ' + year + ', ' + hm + ' UTC';
    default: return day + ' ' + month + ' ' + year + ', ' + hm + ':' + pad2(d.getUTCSeconds()) + ' UTC';
  }
}

export function isoDate(ms) { return new Date(ms).toISOString().slice(0, 10); }

/**
 * @template {any[]} A
 * @param {(...args: A) => void} fn
 * @param {number} ms
 * @returns {(...args: A) => void}
 */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
