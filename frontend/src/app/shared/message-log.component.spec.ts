import { Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { PendingMessage } from '../core/outbox';
import { MAX_RENDERED, MessageLogComponent, type LogEntry } from './message-log.component';

function entries(count: number, sender = (i: number) => (i % 3 === 0 ? 'me' : 'bob')): LogEntry[] {
  const start = Date.UTC(2026, 0, 1, 12);
  return Array.from({ length: count }, (_, i) => ({
    id: `m${i}`,
    type: 'text',
    sender: sender(i),
    sender_id: `id-${sender(i)}`,
    content: `message ${i}`,
    timestamp: new Date(start + i * 1000).toISOString(),
  }));
}

@Component({
  imports: [MessageLogComponent],
  template: `<cs-message-log [entries]="entries()" [pending]="pending()" selfId="id-me" [hasOlder]="hasOlder()" (loadOlder)="older = older + 1" />`,
})
class Host {
  readonly entries = signal<LogEntry[]>([]);
  readonly pending = signal<PendingMessage[]>([]);
  readonly hasOlder = signal(false);
  older = 0;
}

function render(list: LogEntry[], pending: PendingMessage[] = []) {
  const fixture = TestBed.createComponent(Host);
  fixture.componentInstance.entries.set(list);
  fixture.componentInstance.pending.set(pending);
  fixture.detectChanges();
  const element = fixture.nativeElement as HTMLElement;
  return { fixture, element, rows: () => element.querySelectorAll('li') };
}

describe('MessageLogComponent', () => {
  test('is a log named "Messages"', () => {
    const { element } = render(entries(3));
    const log = element.querySelector('[role="log"]');
    expect(log?.getAttribute('aria-label')).toBe('Messages');
    expect(log?.getAttribute('tabindex')).toBe('0');
  });

  test('10,000 loaded messages render a bounded window ending at the newest', () => {
    const { rows } = render(entries(10_000));
    expect(rows().length).toBeLessThanOrEqual(MAX_RENDERED);
    expect(rows()[rows().length - 1].textContent).toContain('message 9999');
  });

  test('content is text, never HTML', () => {
    const attack = { ...entries(1)[0], content: '<img src=x onerror="alert(1)"><b>bold</b>' };
    const { element } = render([attack]);
    expect(element.querySelector('img, b')).toBeNull();
    expect(element.querySelector('.content')?.textContent).toBe(attack.content);
  });

  test('one sender’s consecutive messages form a group with one header; one’s own are set apart', () => {
    const list = entries(4, (i) => (i < 3 ? 'bob' : 'me'));
    const { rows } = render(list);
    const heads = Array.from(rows()).map((row) => row.classList.contains('head'));
    expect(heads).toEqual([true, false, false, true]);
    expect(rows()[3].classList.contains('mine')).toBe(true);
    expect(rows()[3].querySelector('.sender')?.textContent).toBe('You');
    expect(rows()[0].querySelector('time')?.getAttribute('datetime')).toBe(list[0].timestamp);
  });

  test('join and leave lines show as events', () => {
    const join: LogEntry = { ...entries(1)[0], id: 'j', type: 'join', content: 'bob joined the room' };
    const { element } = render([join]);
    expect(element.querySelector('li.event')?.textContent).toContain('bob joined the room');
  });

  test('pending messages show their state, and failed ones offer Retry and Discard', () => {
    const pending: PendingMessage[] = [
      { localId: 'l1', clientId: 'c1', target: 'general', content: 'waiting', status: 'queued', createdAt: 0 },
      { localId: 'l2', clientId: 'c2', target: 'general', content: 'lost', status: 'failed', createdAt: 0 },
    ];
    const { element } = render(entries(2), pending);
    const shown = Array.from(element.querySelectorAll('li.pending')).map((li) => li.textContent?.replace(/\s+/g, ' ').trim());
    expect(shown[0]).toContain('Waiting for connection…');
    expect(shown[1]).toContain('Not delivered.');
    expect(Array.from(element.querySelectorAll('li.pending button')).map((b) => b.textContent?.trim())).toEqual(['Retry', 'Discard']);
  });

  test('at the top with nothing more loaded, it asks for older history', () => {
    // jsdom has no layout; give the viewport a height so that it counts as shown.
    jest.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(300);
    const { fixture } = render([]);
    fixture.componentInstance.hasOlder.set(true);
    fixture.componentInstance.entries.set(entries(10));
    fixture.detectChanges();
    // jsdom has no layout: scrollTop is 0, i.e. at the top.
    expect(fixture.componentInstance.older).toBeGreaterThanOrEqual(1);
    jest.restoreAllMocks();
  });
});

@Component({
  imports: [MessageLogComponent],
  template: `<cs-message-log
    [entries]="entries()"
    selfId="id-me"
    selfName="me"
    [actions]="true"
    (edit)="edits.push($event)"
    (remove)="removed.push($event)"
    (react)="reactions.push($event)"
  />`,
})
class ActionsHost {
  readonly entries = signal<LogEntry[]>([]);
  readonly edits: Array<{ id: string; content: string }> = [];
  readonly removed: string[] = [];
  readonly reactions: Array<{ id: string; emoji: string }> = [];
}

describe('MessageLogComponent: edit, delete, react', () => {
  const mine: LogEntry = { id: 'a', type: 'text', sender: 'me', sender_id: 'id-me', content: 'mine', timestamp: new Date().toISOString() };
  const theirs: LogEntry = { id: 'b', type: 'text', sender: 'bob', sender_id: 'id-bob', content: 'theirs', timestamp: new Date().toISOString() };

  function renderActions(list: LogEntry[]) {
    const fixture = TestBed.createComponent(ActionsHost);
    fixture.componentInstance.entries.set(list);
    fixture.detectChanges();
    const element = fixture.nativeElement as HTMLElement;
    const message = (id: string) => element.querySelector(`li.message[data-id="${id}"]`) as HTMLElement;
    const buttons = (id: string) => Array.from(message(id).querySelectorAll('.actions button')).map((b) => b.textContent?.trim());
    return { fixture, element, message, buttons, host: fixture.componentInstance };
  }

  test('Edit and Delete only on one’s own messages; React and Reply in thread on every one', () => {
    const { buttons } = renderActions([mine, theirs]);
    expect(buttons('a')).toEqual(['Edit', 'Delete', 'React', 'Reply in thread']);
    expect(buttons('b')).toEqual(['React', 'Reply in thread']);
  });

  test('editing in place: Enter saves, Escape cancels', () => {
    const { fixture, message, host } = renderActions([mine]);
    (message('a').querySelector('.actions button') as HTMLButtonElement).click();
    fixture.detectChanges();
    const box = message('a').querySelector('textarea[aria-label="Edit message"]') as HTMLTextAreaElement;
    box.value = 'mine, fixed';
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    fixture.detectChanges();
    expect(host.edits).toEqual([{ id: 'a', content: 'mine, fixed' }]);
    expect(message('a').querySelector('textarea')).toBeNull();

    (message('a').querySelector('.actions button') as HTMLButtonElement).click();
    fixture.detectChanges();
    message('a').querySelector('textarea')?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    fixture.detectChanges();
    expect(host.edits).toHaveLength(1);
    expect(message('a').querySelector('textarea')).toBeNull();
  });

  test('an edited message says (edited); a deleted one says so and offers no actions', () => {
    const { message } = renderActions([{ ...mine, edited_at: new Date().toISOString() }, { ...theirs, content: '', deleted: true }]);
    expect(message('a').querySelector('.content')?.textContent).toBe('mine (edited)');
    expect(message('b').querySelector('.content')?.textContent).toBe('This message was deleted');
    expect(message('b').querySelector('.actions')).toBeNull();
  });

  test('reactions are buttons whose name says who reacted; clicking one toggles it', () => {
    const { message, host } = renderActions([
      { ...theirs, reactions: [{ emoji: '👍', count: 2, user_ids: ['id-bob', 'id-me'] }] },
    ]);
    const button = message('b').querySelector('button.reaction') as HTMLButtonElement;
    expect(button.getAttribute('aria-label')).toBe('👍 2: bob, you');
    expect(button.getAttribute('aria-pressed')).toBe('true');
    button.click();
    expect(host.reactions).toEqual([{ id: 'b', emoji: '👍' }]);
  });

  test('React opens the dialog "Choose a reaction"; a pick reacts and closes it', () => {
    const { fixture, message, element, host } = renderActions([theirs]);
    const react = Array.from(message('b').querySelectorAll('.actions button')).find((b) => b.textContent?.trim() === 'React') as HTMLButtonElement;
    react.click();
    fixture.detectChanges();
    const dialog = element.querySelector('[role="dialog"][aria-label="Choose a reaction"]') as HTMLElement;
    expect(dialog.querySelectorAll('button')).toHaveLength(12);
    (dialog.querySelector('button[aria-label="🎉"]') as HTMLButtonElement).click();
    fixture.detectChanges();
    expect(host.reactions).toEqual([{ id: 'b', emoji: '🎉' }]);
    expect(element.querySelector('[role="dialog"]')).toBeNull();
  });

  test('a message that mentions the reader is highlighted; others are not', () => {
    const { message } = renderActions([{ ...theirs, mentions: ['id-me'] }, { ...mine, id: 'c', mentions: ['id-bob'] }]);
    expect(message('b').querySelector('.content')?.classList.contains('mention')).toBe(true);
    expect(message('c').querySelector('.content')?.classList.contains('mention')).toBe(false);
  });

  test('text shows as safe Markdown; the names the server resolved show as mentions, the reader\'s own marked', () => {
    const { message } = renderActions([
      { ...theirs, content: '**ship it** @me, ask @bob or @nobody: [notes](https://example.com) <img src=x onerror=alert(1)>', mentions: ['id-me', 'id-bob'] },
    ]);
    const content = message('b').querySelector('.content') as HTMLElement;
    expect(content.querySelector('strong')?.textContent).toBe('ship it');
    expect(content.querySelector('a')?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(content.querySelector('img')).toBeNull();
    expect(content.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(Array.from(content.querySelectorAll('.mention'), (span) => [span.textContent, span.classList.contains('mention-me')])).toEqual([
      ['@me', true],
      ['@bob', false],
    ]);
  });
});
