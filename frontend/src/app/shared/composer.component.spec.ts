import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MAX_CONTENT_LENGTH } from '@chatstream/protocol';
import { ComposerComponent } from './composer.component';

@Component({
  imports: [ComposerComponent],
  template: `<cs-composer [send]="send" [mentionable]="people" />`,
})
class Host {
  readonly people = ['alice', 'albert', 'bob'];
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

  describe('"@" suggests names', () => {
    const options = (element: HTMLElement) => Array.from(element.querySelectorAll('[role="option"]'), (option) => option.textContent?.trim());
    const active = (element: HTMLElement, textarea: HTMLTextAreaElement) =>
      element.querySelector(`#${textarea.getAttribute('aria-activedescendant')}`)?.textContent?.trim();

    test('typing "@" and a prefix lists the fitting names in a listbox the text box points into', () => {
      const { element, textarea, type } = render();
      type('hi @al');
      const list = element.querySelector('[role="listbox"]');
      expect(list?.getAttribute('aria-label')).toBe('Mention suggestions');
      expect(textarea.getAttribute('aria-controls')).toBe(list?.id);
      expect(options(element)).toEqual(['@albert', '@alice']);
      expect(active(element, textarea)).toBe('@albert');
      type('hi @b');
      expect(options(element)).toEqual(['@bob']);
      type('hi @bob and');
      expect(element.querySelector('[role="listbox"]')).toBeNull();
      expect(textarea.hasAttribute('aria-activedescendant')).toBe(false);
    });

    test('ArrowDown moves, Enter chooses: the name goes in, nothing is sent, the list closes', () => {
      const { element, textarea, type, key, sent } = render();
      type('hi @al');
      key({ key: 'ArrowDown' });
      expect(active(element, textarea)).toBe('@alice');
      key({ key: 'ArrowDown' });
      expect(active(element, textarea)).toBe('@albert');
      key({ key: 'ArrowUp' });
      expect(key({ key: 'Enter' }).defaultPrevented).toBe(true);
      expect(textarea.value).toBe('hi @alice ');
      expect(sent).toEqual([]);
      expect(element.querySelector('[role="listbox"]')).toBeNull();
      key({});
      expect(sent).toEqual(['hi @alice ']);
    });

    test('Tab chooses too, and a click on a name', () => {
      const { element, textarea, type, key, fixture } = render();
      type('@b');
      key({ key: 'Tab' });
      expect(textarea.value).toBe('@bob ');
      type('@bob @a');
      (element.querySelectorAll('[role="option"]')[1] as HTMLElement).click();
      fixture.detectChanges();
      expect(textarea.value).toBe('@bob @alice ');
    });

    test('Escape closes the list without leaving the dialog around it, and Enter then sends', () => {
      const { element, type, key, sent } = render();
      const outside = jest.fn();
      element.addEventListener('keydown', outside);
      type('ping @al');
      const escape = key({ key: 'Escape', bubbles: true });
      expect(escape.defaultPrevented).toBe(true);
      expect(outside).not.toHaveBeenCalled();
      expect(element.querySelector('[role="listbox"]')).toBeNull();
      key({});
      expect(sent).toEqual(['ping @al']);
    });

    test('no list for a name nobody has, or for an address', () => {
      const { element, type } = render();
      type('@zed');
      expect(element.querySelector('[role="listbox"]')).toBeNull();
      type('mail bob@al');
      expect(element.querySelector('[role="listbox"]')).toBeNull();
    });
  });
});
