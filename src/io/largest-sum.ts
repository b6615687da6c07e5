/**
 * The sum of the `n` largest numbers offered so far, in O(n) memory: a min-heap of them, whose
 * smallest gives way to a larger one.
 */
export class LargestSum {
  private readonly heap: number[] = [];
  private total = 0;

  constructor(private readonly n: number) {}

  offer(x: number): void {
    const h = this.heap;
    if (h.length < this.n) {
      h.push(x);
      this.total += x;
      let i = h.length - 1;
      while (i > 0) {
        const up = (i - 1) >> 1;
        if (h[up]! <= h[i]!) break;
        [h[up], h[i]] = [h[i]!, h[up]!];
        i = up;
      }
      return;
    }
    if (this.n === 0 || x <= h[0]!) return;
    this.total += x - h[0]!;
    h[0] = x;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < h.length && h[l]! < h[least]!) least = l;
      if (r < h.length && h[r]! < h[least]!) least = r;
      if (least === i) break;
      [h[least], h[i]] = [h[i]!, h[least]!];
      i = least;
    }
  }

  get sum(): number {
    return this.total;
  }
}
