import { Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MessageLogComponent, type FocusRequest, type LogEntry } from './message-log.component';

/** Messages 1..count of a room; every third one is one's own. */
function room(count: number): LogEntry[] {
  const start = Date.UTC(2026, 0, 1, 12);
  return Array.from({ length: count }, (_, i) => {
    const sender = (i + 1) % 3 === 0 ? 'me' : 'bob';
    return { id: `m${i + 1}`, type: 'text', seq: i + 1, sender, sender_id: `id-${sender}`, content: `message ${i + 1}`, timestamp: new Date(start + i * 1000).toISOString() };
  });
}

@Component({
  imports: [MessageLogComponent],
  template: `<cs-message-log
    [entries]="entries()"
    selfId="id-me"
    [key]="key()"
    [newAfter]="newAfter()"
    [focus]="focus()"
    [hasOlder]="hasOlder()"
    (loadOlder)="older = older + 1"
    (focused)="focused = focused + 1"
  />`,
})
class Host {
  readonly entries = signal<LogEntry[]>([]);
  readonly key = signal('general');
  readonly newAfter = signal<number | null>(null);
  readonly focus = signal<FocusRequest | null>(null);
  readonly hasOlder = signal(false);
  older = 0;
  focused = 0;
}

function render(list: LogEntry[], newAfter: number | null = null) {
  const fixture = TestBed.createComponent(Host);
  fixture.componentInstance.entries.set(list);
  fixture.componentInstance.newAfter.set(newAfter);
  fixture.detectChanges();
  const element = fixture.nativeElement as HTMLElement;
  const separators = () => Array.from(element.querySelectorAll('[role="separator"]'));
  return { fixture, host: fixture.componentInstance, element, separators };
}

describe('MessageLogComponent: reading', () => {
  test('"New messages" stands right above the first message of others after the pointer (one’s own do not count)', () => {
    // Seq 3 is one's own: the first new message of others is 4.
    const { separators } = render(room(8), 2);
    expect(separators().map((s) => s.getAttribute('aria-label'))).toEqual(['New messages']);
    const divider = separators()[0].closest('li');
    expect(divider?.nextElementSibling?.textContent).toContain('message 4');
  });

  test('no divider when nothing is new, or when the pointer is not known', () => {
    expect(render(room(5), 5).separators()).toEqual([]);
    TestBed.resetTestingModule();
    expect(render(room(5), null).separators()).toEqual([]);
  });

  test('a focused message is highlighted (aria-current) and the request reported done', () => {
    const { fixture, host, element } = render(room(20));
    host.focus.set({ id: 'm7' });
    fixture.detectChanges();
    const current = element.querySelectorAll('li[aria-current="true"]');
    expect(Array.from(current).map((li) => li.textContent)).toEqual([expect.stringContaining('message 7')]);
    expect(host.focused).toBe(1);
  });

  test('a focused message not loaded yet asks for older pages, and stops asking when history ends', () => {
    const { fixture, host } = render(room(20));
    host.hasOlder.set(true);
    host.focus.set({ id: 'old-one' });
    fixture.detectChanges();
    expect(host.older).toBe(1);
    host.entries.set([{ ...room(1)[0], id: 'older', seq: 0 }, ...room(20)]);
    host.hasOlder.set(false);
    fixture.detectChanges();
    expect(host.older).toBe(1);
    expect(host.focused).toBe(0);
  });
});
