import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MAX_CONTENT_LENGTH } from '@chatstream/protocol';
import { ComposerComponent } from './composer.component';

@Component({
  imports: [ComposerComponent],
  template: `<cs-composer [send]="send" />`,
})
class Host {
  readonly sent: string[] = [];
  readonly send = (content: string) => {
    this.sent.push(content);
    return null;
  };
}

function render() {
  const fixture = TestBed.createComponent(Host);
  fixture.detectChanges();
  const element = fixture.nativeElement as HTMLElement;
  const textarea = element.querySelector('textarea') as HTMLTextAreaElement;
  const button = element.querySelector('button[type="submit"]') as HTMLButtonElement;
  const type = (value: string) => {
    textarea.value = value;
    textarea.dispatchEvent(new Event('input'));
    fixture.detectChanges();
  };
  const key = (init: KeyboardEventInit) => {
    const event = new KeyboardEvent('keydown', { key: 'Enter', cancelable: true, ...init });
    textarea.dispatchEvent(event);
    fixture.detectChanges();
    return event;
  };
  return { fixture, element, textarea, button, type, key, sent: fixture.componentInstance.sent };
}

describe('ComposerComponent', () => {
  test('has a textbox labelled "Message" and a "Send" button', () => {
    const { element, textarea, button } = render();
    expect(element.querySelector(`label[for="${textarea.id}"]`)?.textContent).toBe('Message');
    expect(button.textContent?.trim()).toBe('Send');
  });

  test('Enter sends and clears; Shift+Enter leaves a new line to the textarea', () => {
    const { textarea, type, key, sent } = render();
    type('line one');
    expect(key({ shiftKey: true }).defaultPrevented).toBe(false);
    expect(sent).toEqual([]);
    type('line one\nline two');
    expect(key({}).defaultPrevented).toBe(true);
    expect(sent).toEqual(['line one\nline two']);
    expect(textarea.value).toBe('');
  });

  test('the Send button sends', () => {
    const { button, type, sent, fixture } = render();
    type('by button');
    button.click();
    fixture.detectChanges();
    expect(sent).toEqual(['by button']);
  });

  test('content over the limit is refused with a visible reason', () => {
    const { element, textarea, button, type, key, sent } = render();
    type('x'.repeat(MAX_CONTENT_LENGTH + 1));
    expect(button.disabled).toBe(true);
    expect(textarea.getAttribute('aria-invalid')).toBe('true');
    const hint = element.querySelector(`#${textarea.getAttribute('aria-describedby')}`);
    expect(hint?.textContent).toContain('Too long: 4,001 characters, at most 4,000.');
    key({});
    expect(sent).toEqual([]);
    type('x'.repeat(MAX_CONTENT_LENGTH));
    expect(button.disabled).toBe(false);
  });
});
