const DAY = 86_400_000;
/** ECMAScript's time value range: beyond it a Date is invalid and toISOString throws. */
const MAX_TIME = 8.64e15;

let cachedDay = Number.NaN;
let cachedPrefix = "";

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * `new Date(ms).toISOString()`, exactly, with the date part formatted once per day. The sandbox
 * stamps every tool call with its simulated time (~80,000 calls per 10,000 cases, nearly all on
 * one day per case), and V8 formats a whole date each time. Anything unusual (not a finite time
 * within the Date range) goes to toISOString itself, so it throws where that throws.
 */
export function isoTime(ms: number): string {
  if (!(Math.abs(ms) <= MAX_TIME)) return new Date(ms).toISOString();
  const t = Math.trunc(ms) + 0; // as a Date clips its time value; + 0 turns -0 into 0
  const day = Math.floor(t / DAY);
  if (day !== cachedDay) {
    const iso = new Date(t).toISOString();
    cachedDay = day;
    cachedPrefix = iso.slice(0, iso.indexOf("T") + 1);
    return iso;
  }
  let rest = t - day * DAY;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const sec = rest % 60;
  rest = (rest - sec) / 60;
  const min = rest % 60;
  const hour = (rest - min) / 60;
  return `${cachedPrefix}${pad2(hour)}:${pad2(min)}:${pad2(sec)}.${pad3(milli)}Z`;
}
