import { DestroyRef, inject } from '@angular/core';

/** Runs `task` every `ms` until the calling injector is destroyed. Call in an injection context. */
export function every(ms: number, task: () => void): void {
  const timer = setInterval(task, ms);
  inject(DestroyRef).onDestroy(() => clearInterval(timer));
}
