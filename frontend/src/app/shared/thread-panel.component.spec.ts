import { Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { LogEntry } from './message-log.component';
import { ThreadPanelComponent } from './thread-panel.component';

@Component({
  imports: [ThreadPanelComponent],
  template: `<cs-thread-panel
    [parent]="parent()"
    [replies]="replies()"
    [canReply]="canReply()"
    [send]="send"
    selfId="id-me"
    selfName="me"
    (closed)="closed = closed + 1"
  />`,
})
class Host {
  readonly parent = signal<LogEntry | undefined>(undefined);
  readonly replies = signal<LogEntry[]>([]);
  readonly canReply = signal(true);
  readonly sent: string[] = [];
  closed = 0;
  readonly send = (content: string) => {
    this.sent.push(content);
    return null;
  };
}

const at = new Date().toISOString();
const parent: LogEntry = { id: 'p', type: 'text', sender: 'bob', sender_id: 'id-bob', content: 'ship **today**?', timestamp: at, reply_count: 2 };
const replies: LogEntry[] = [
  { id: 'r1', type: 'text', sender: 'me', sender_id: 'id-me', content: 'yes @bob <img src=x onerror=alert(1)>', timestamp: at, mentions: ['id-bob'] },
  { id: 'r2', type: 'text', sender: 'bob', sender_id: 'id-bob', content: '', timestamp: at, deleted: true },
];

function render(canReply = true) {
  const fixture = TestBed.createComponent(Host);
  fixture.componentInstance.parent.set(parent);
  fixture.componentInstance.replies.set(replies);
  fixture.componentInstance.canReply.set(canReply);
  fixture.detectChanges();
  return { fixture, element: fixture.nativeElement as HTMLElement, host: fixture.componentInstance };
}

describe('ThreadPanelComponent', () => {
  test('a region "Thread" with the parent and "2 replies", then the replies as safe Markdown; a deleted one says so', () => {
    const { element } = render();
    const region = element.querySelector('[role="region"]');
    expect(region?.getAttribute('aria-label')).toBe('Thread');
    expect(element.querySelector('.thread-parent')?.textContent?.replace(/\s+/g, ' ').trim()).toBe('bob: ship today? 2 replies');
    expect(element.querySelector('.thread-parent strong')?.textContent).toBe('today');
    const lines = Array.from(element.querySelectorAll('[aria-label="Replies"] > li'));
    expect(lines.map((li) => li.textContent?.replace(/\s+/g, ' ').trim())).toEqual(['me: yes @bob <img src=x onerror=alert(1)>', 'bob: This message was deleted']);
    expect(element.querySelector('img')).toBeNull();
    expect(lines[0].querySelector('.mention')?.textContent).toBe('@bob');
  });

  test('its composer "Reply" sends; Close thread closes', () => {
    const { element, fixture, host } = render();
    const box = element.querySelector('textarea') as HTMLTextAreaElement;
    expect(element.querySelector(`label[for="${box.id}"]`)?.textContent).toBe('Reply');
    box.value = 'on it';
    box.dispatchEvent(new Event('input'));
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', cancelable: true }));
    expect(host.sent).toEqual(['on it']);
    const close = Array.from(element.querySelectorAll('button')).find((b) => b.textContent?.trim() === 'Close thread') as HTMLButtonElement;
    close.click();
    fixture.detectChanges();
    expect(host.closed).toBe(1);
  });

  test('no composer for someone who may not answer (reading a room without joining)', () => {
    const { element } = render(false);
    expect(element.querySelector('textarea')).toBeNull();
  });
});
