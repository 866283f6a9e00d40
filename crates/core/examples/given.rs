//! Development tool: what the model expects each deciding answer to be under each class,
//! P(answer | class), to check that the numbers brief 2.4a uses ("more likely than not
//! under the leading condition") are clinically sensible.
//! `cargo run -p hamstride-core --example given -- pop_or_snap walking=limp`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_core::Kb;

fn main() {
    let kb = Kb::embedded().expect("kb");
    let args: Vec<String> = std::env::args().skip(1).collect();
    print!("{:<34}", "answer");
    for c in &kb.classes {
        print!("{:>6}", &c.id[..c.id.len().min(5)]);
    }
    println!();
    for a in &args {
        let (name, value) = a.split_once('=').unwrap_or((a.as_str(), "true"));
        let fi = kb.schema.index(name).expect("field");
        let field = &kb.schema.fields[fi];
        let (element, v) = match &field.kind {
            hamstride_core::findings::FieldKind::Multi(_) => {
                (Some(field.value_index(value).unwrap()), 0usize)
            }
            hamstride_core::findings::FieldKind::Bool => (None, usize::from(value != "true")),
            hamstride_core::findings::FieldKind::Enum(_) => {
                (None, field.value_index(value).unwrap() as usize)
            }
            _ => (None, field.bins.iter().position(|b| b.id == value).unwrap()),
        };
        let var = kb.model.field_vars[fi]
            .iter()
            .copied()
            .find(|&x| kb.model.vars[x].element == element)
            .unwrap();
        print!("{a:<34}");
        for k in 0..kb.classes.len() {
            print!("{:>6.2}", kb.model.given[k][var][v]);
        }
        println!();
    }
}
