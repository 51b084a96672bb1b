# Lists the module cycles of a crate: every `crate::MODULE` path per top-level module, and names the
# crate root re-exports counted for their module (test modules left out), strongly connected components. usage: module_cycles.py SRC_DIR [depth] [-v]
import os,re,sys
src=sys.argv[1]; depth=int(sys.argv[2]) if len(sys.argv)>2 else 1
def modname(path):
    rel=os.path.relpath(path,src)[:-3].split('/')
    if rel[-1] in ('mod','lib'): rel=rel[:-1]
    return rel
# names the crate root re-exports from its own modules (`pub use error::{Error, ...};`)
root_names={}
for f in ('lib.rs','main.rs'):
    lp=os.path.join(src,f)
    if os.path.exists(lp):
        for mm in re.finditer(r'pub use ([a-z_0-9]+)::\{?([^;}]*)\}?;',open(lp).read()):
            local=mm.group(1)
            if not (os.path.exists(os.path.join(src,local+'.rs')) or os.path.isdir(os.path.join(src,local))): continue
            for name in mm.group(2).split(','):
                root_names[name.strip().split(' as ')[-1]]=mm.group(1)
edges={}
for root,_,files in os.walk(src):
    for f in files:
        if not f.endswith('.rs'): continue
        p=os.path.join(root,f); m=modname(p)
        if not m: continue
        key='::'.join(m[:depth])
        txt=open(p).read()
        # strip tests module
        i=txt.find('#[cfg(test)]')
        if i>=0: txt=txt[:i]
        refs=set()
        for mm in re.finditer(r'crate::((?:[A-Za-z_0-9]+)(?:::[a-z_0-9]+)*)',txt):
            parts=mm.group(1).split('::')
            if parts[0] in root_names: parts=[root_names[parts[0]]]
            elif not parts[0][0].islower(): continue
            refs.add('::'.join(parts[:depth]))
        # use crate::{a, b::c}
        for mm in re.finditer(r'crate::\{([^}]*)\}',txt):
            for part in mm.group(1).split(','):
                part=part.strip().split('::')
                if part[0] in root_names: part=[root_names[part[0]]]
                if part[0] and part[0][0].islower(): refs.add('::'.join(part[:depth]))
        refs.discard(key)
        edges.setdefault(key,set()).update(r for r in refs if r)
nodes=set(edges)|{x for v in edges.values() for x in v}
idx={};low={};st=[];on=set();sccs=[];c=[0]
sys.setrecursionlimit(10000)
def sc(v):
    idx[v]=low[v]=c[0];c[0]+=1;st.append(v);on.add(v)
    for w in edges.get(v,()):
        if w not in idx: sc(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],idx[w])
    if low[v]==idx[v]:
        s=[]
        while True:
            w=st.pop();on.discard(w);s.append(w)
            if w==v:break
        sccs.append(s)
for v in sorted(nodes):
    if v not in idx: sc(v)
for s in sccs:
    if len(s)>1: print('CYCLE',sorted(s))
if '-v' in sys.argv:
    for k in sorted(edges): print(k,'->',sorted(edges[k]))
