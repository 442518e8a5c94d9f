import { BEGIN, END, replaceBetweenMarkers } from './doc-file';

describe('rewriting the generated part of docs/benchmarks.md', () => {
  it('creates the file with its markers when there is none', () => {
    expect(replaceBetweenMarkers(undefined, 'tables')).toBe(`# Benchmarks\n\n${BEGIN}\ntables\n${END}\n`);
  });

  it('replaces only what is between the markers', () => {
    const doc = `# Benchmarks\n\n## Web app\nLighthouse: 98\n\n${BEGIN}\nold tables\n${END}\n\n## Notes\nkeep me\n`;
    const next = replaceBetweenMarkers(doc, 'new tables');
    expect(next).toBe(`# Benchmarks\n\n## Web app\nLighthouse: 98\n\n${BEGIN}\nnew tables\n${END}\n\n## Notes\nkeep me\n`);
    expect(replaceBetweenMarkers(next, 'new tables')).toBe(next);
  });

  it('appends the markers after what others wrote when they are missing', () => {
    expect(replaceBetweenMarkers('# Benchmarks\n\n## Web app\nfast\n', 'tables')).toBe(`# Benchmarks\n\n## Web app\nfast\n\n${BEGIN}\ntables\n${END}\n`);
  });

  it('refuses to guess when only one marker is there', () => {
    expect(() => replaceBetweenMarkers(`intro\n${BEGIN}\nsomeone's section\n`, 'tables')).toThrow(/one of/);
    expect(() => replaceBetweenMarkers(`intro\n${END}\n`, 'tables')).toThrow(/one of/);
  });
});

describe('a standalone bench section', () => {
  it('has its own markers, so the suite and it never overwrite each other', () => {
    const doc = replaceBetweenMarkers(undefined, 'suite tables');
    const both = replaceBetweenMarkers(doc, 'scale-out table', 'scale-out', 'Scale-out');
    expect(both).toContain('suite tables');
    expect(both).toContain('## Scale-out\n\n<!-- scale-out:begin -->\nscale-out table\n<!-- scale-out:end -->');
    expect(replaceBetweenMarkers(both, 'new suite tables')).toContain('scale-out table');
    expect(replaceBetweenMarkers(both, 'new scale-out', 'scale-out', 'Scale-out')).not.toContain('scale-out table');
  });
});
