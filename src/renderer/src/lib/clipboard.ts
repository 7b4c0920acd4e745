/**
 * Put text on the clipboard: the async Clipboard API, or the older copy command where that is refused. The copy
 * command gets the text in its own copy event, not from a hidden text box: a box holding megabytes took the
 * browser seconds to lay out (a 4 MiB copy froze the page for 5 s).
 */
export async function copyToClipboard(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    let handed = false;
    const onCopy = (event: ClipboardEvent): void => {
      if (!event.clipboardData) return;
      event.clipboardData.setData('text/plain', text);
      event.preventDefault();
      handed = true;
    };
    document.addEventListener('copy', onCopy);
    try {
      return document.execCommand('copy') && handed;
    } catch {
      return false;
    } finally {
      document.removeEventListener('copy', onCopy);
    }
  }
}
