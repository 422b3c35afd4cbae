//! `blink_scope!`: checks the closure and hands it to the runtime.
//!
//! `blink_alloc::blink_scope!` is a `macro_rules!` that calls this macro
//! with `crate = $crate, ` in front, so the expansion names the runtime
//! crate by its path in the caller's crate, whatever the dependency is
//! called. Used directly, this macro takes the same prefix,
//! `crate = path::to::blink_alloc, ` (or `crate = "path"`), and defaults to
//! `::blink_alloc`.
//!
//! The body is a closure, so `break`, `continue` and `.await` cannot leave
//! it, and a reference into the frame cannot be returned: where the body
//! shows these by its syntax alone, the error says what to write instead.
//! A `?` in the body returns from the body; the expansion then checks that
//! the body's value is a `Result` or an `Option`, with a message that says
//! so.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::{
    parse::Parser, punctuated::Punctuated, spanned::Spanned, visit::Visit, Error, Expr,
    ExprClosure, Ident, LitStr, Pat, Token,
};

const FORMS: &str = "expected `blink_scope!(|b| body)` or `blink_scope!(parent, |b| body)`";

pub fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let (krate, input) = split_crate(input)?;
    let args = Punctuated::<Expr, Token![,]>::parse_terminated.parse2(input.clone())?;
    let mut args = args.into_iter();
    let (call, body) = match (args.next(), args.next(), args.next()) {
        (None, _, _) => return Err(Error::new_spanned(input, FORMS)),
        (Some(closure), None, _) => {
            let body = check_body(check_closure(&closure)?)?;
            (quote!(#krate::frame(#closure)), body)
        }
        (Some(parent), Some(closure), None) => {
            let body = check_body(check_closure(&closure)?)?;
            let scope = quote_spanned!(parent.span()=> scope);
            (quote!((#parent).#scope(#closure)), body)
        }
        (Some(_), Some(_), Some(extra)) => {
            return Err(Error::new_spanned(
                extra,
                format!("unexpected argument: {FORMS}"),
            ))
        }
    };
    Ok(match body.first_try {
        None => call,
        Some(question) => {
            let result = Ident::new("__blink_scope_result", Span::mixed_site());
            // The reference, one token with the `?`'s span (and so the
            // caller's hygiene: no code of the caller runs in its scope), so
            // that the error points at the `?`.
            let reference = Ident::new("__blink_scope_result_ref", question);
            let at_question = &reference;
            let check = quote_spanned!(question=> #krate::__private::scope_body_try);
            quote!({
                let #result = #call;
                let #reference = &#result;
                #check(#at_question);
                #result
            })
        }
    })
}

/// Takes `crate = path, ` off the front of the input: the runtime crate's
/// path, `::blink_alloc` if there is none.
fn split_crate(input: TokenStream) -> syn::Result<(TokenStream, TokenStream)> {
    let tokens: Vec<TokenTree> = input.clone().into_iter().collect();
    let is_crate = matches!(tokens.first(), Some(TokenTree::Ident(i)) if i == "crate")
        && matches!(tokens.get(1), Some(TokenTree::Punct(p)) if p.as_char() == '=');
    if !is_crate {
        return Ok((quote!(::blink_alloc), input));
    }
    let comma = tokens
        .iter()
        .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','));
    let Some(comma) = comma.filter(|&comma| comma > 2) else {
        return Err(Error::new_spanned(
            quote!(#(#tokens)*),
            format!("expected `crate = path::to::blink_alloc, ` and then the scope: {FORMS}"),
        ));
    };
    let path: TokenStream = tokens[2..comma].iter().cloned().collect();
    let path = match syn::parse2::<LitStr>(path.clone()) {
        Ok(text) => text.parse::<syn::Path>()?.into_token_stream(),
        Err(_) => path,
    };
    Ok((path, tokens[comma + 1..].iter().cloned().collect()))
}

/// The last argument must be a closure with one parameter, the scope.
fn check_closure(expr: &Expr) -> syn::Result<&ExprClosure> {
    let Expr::Closure(closure) = expr else {
        return Err(Error::new_spanned(
            expr,
            format!("expected a closure with one parameter, the scope: {FORMS}"),
        ));
    };
    if let Some(asyncness) = &closure.asyncness {
        return Err(Error::new_spanned(
            asyncness,
            "an async closure cannot run in a blink scope: the scope ends when the closure returns",
        ));
    }
    if closure.inputs.len() != 1 {
        let (or1, inputs, or2) = (&closure.or1_token, &closure.inputs, &closure.or2_token);
        return Err(Error::new_spanned(
            quote!(#or1 #inputs #or2),
            format!(
                "the closure takes {} parameters; it must take exactly one, the scope: {FORMS}",
                closure.inputs.len()
            ),
        ));
    }
    Ok(closure)
}

/// The scope's methods that return a reference into it.
const FRAME_REFERENCES: &[&str] = &[
    "put",
    "put_no_drop",
    "uninit",
    "copy_slice",
    "copy_str",
    "try_put",
    "try_put_no_drop",
    "try_uninit",
    "try_copy_slice",
    "try_copy_str",
];

struct Body {
    /// The first `?` that returns from the body.
    first_try: Option<Span>,
}

/// Finds `break`, `continue` and `.await` that would leave the body, and,
/// while the scope parameter is not re-bound in the body, a returned
/// reference into it and a `put_in(&frame)`.
fn check_body(closure: &ExprClosure) -> syn::Result<Body> {
    let param = match closure.inputs.first() {
        Some(Pat::Ident(pat)) => Some(&pat.ident),
        Some(Pat::Type(typed)) => match &*typed.pat {
            Pat::Ident(pat) => Some(&pat.ident),
            _ => None,
        },
        _ => None,
    };
    let param = param.filter(|param| !rebinds(&closure.body, param));
    let mut visitor = BodyVisitor {
        param,
        loops: 0,
        labels: Vec::new(),
        first_try: None,
        errors: Vec::new(),
    };
    visitor.check_returned(&closure.body);
    visitor.visit_expr(&closure.body);
    let mut errors = visitor.errors.into_iter();
    if let Some(mut error) = errors.next() {
        error.extend(errors);
        return Err(error);
    }
    Ok(Body {
        first_try: visitor.first_try,
    })
}

/// Whether a pattern in `body` binds `name` again.
fn rebinds(body: &Expr, name: &Ident) -> bool {
    struct Finder<'a>(&'a Ident, bool);
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_pat_ident(&mut self, pat: &'ast syn::PatIdent) {
            self.1 |= pat.ident == *self.0;
            syn::visit::visit_pat_ident(self, pat);
        }
    }
    let mut finder = Finder(name, false);
    finder.visit_expr(body);
    finder.1
}

struct BodyVisitor<'a> {
    param: Option<&'a Ident>,
    loops: usize,
    labels: Vec<String>,
    first_try: Option<Span>,
    errors: Vec<Error>,
}

impl BodyVisitor<'_> {
    /// A value the body returns: its tail, or a `return`'s operand.
    fn check_returned(&mut self, expr: &Expr) {
        match expr {
            Expr::Block(block) => {
                if let Some(syn::Stmt::Expr(tail, None)) = block.block.stmts.last() {
                    self.check_returned(tail);
                }
            }
            Expr::Paren(paren) => self.check_returned(&paren.expr),
            Expr::MethodCall(call) if self.is_param(&call.receiver) => {
                let method = call.method.to_string();
                if FRAME_REFERENCES.contains(&method.as_str()) {
                    let param = self.param.expect("is_param");
                    self.errors.push(Error::new_spanned(
                        expr,
                        format!(
                            "`{param}.{method}(..)` returns a reference into the frame, which \
                             resets when the `blink_scope!` body returns, so the reference \
                             cannot leave it. Return an owned value (`*` for a `Copy` value, \
                             `.to_owned()`, `.to_vec()`), or copy it into a `Blink` that lives \
                             longer: `value.put_in(&blink)` (`BlinkPut`)"
                        ),
                    ));
                }
            }
            _ => {}
        }
    }

    fn is_param(&self, expr: &Expr) -> bool {
        let Some(param) = self.param else {
            return false;
        };
        match expr {
            Expr::Path(path) => path.qself.is_none() && path.path.is_ident(param),
            Expr::Reference(reference) => self.is_param(&reference.expr),
            Expr::Unary(syn::ExprUnary {
                op: syn::UnOp::Deref(_),
                expr,
                ..
            }) => self.is_param(expr),
            Expr::Paren(paren) => self.is_param(&paren.expr),
            _ => false,
        }
    }

    fn leaves(&mut self, keyword: &dyn ToTokens, label: Option<&syn::Lifetime>, what: &str) {
        let inside = match label {
            Some(label) => self.labels.contains(&label.ident.to_string()),
            None => self.loops > 0,
        };
        if !inside {
            self.errors.push(Error::new_spanned(
                keyword,
                format!(
                    "`{what}` cannot leave a `blink_scope!` body: the body is a closure, and the \
                     frame resets when it returns. Return a value that says what to do (a \
                     `bool`, an enum, `std::ops::ControlFlow`) and `{what}` after the macro, \
                     e.g. `if blink_scope!(|frame| ...) {{ {what}; }}`"
                ),
            ));
        }
    }

    fn in_loop(&mut self, label: Option<&syn::Label>, visit: impl FnOnce(&mut Self)) {
        self.loops += 1;
        self.labels
            .extend(label.map(|label| label.name.ident.to_string()));
        visit(self);
        if label.is_some() {
            self.labels.pop();
        }
        self.loops -= 1;
    }
}

impl<'ast> Visit<'ast> for BodyVisitor<'_> {
    // A nested closure, async block or item is a body of its own.
    fn visit_expr_closure(&mut self, _: &'ast ExprClosure) {}
    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
    fn visit_expr_const(&mut self, _: &'ast syn::ExprConst) {}
    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_expr_loop(&mut self, expr: &'ast syn::ExprLoop) {
        self.in_loop(expr.label.as_ref(), |v| {
            syn::visit::visit_expr_loop(v, expr)
        });
    }

    fn visit_expr_while(&mut self, expr: &'ast syn::ExprWhile) {
        self.in_loop(expr.label.as_ref(), |v| {
            syn::visit::visit_expr_while(v, expr)
        });
    }

    fn visit_expr_for_loop(&mut self, expr: &'ast syn::ExprForLoop) {
        self.in_loop(expr.label.as_ref(), |v| {
            syn::visit::visit_expr_for_loop(v, expr)
        });
    }

    fn visit_expr_block(&mut self, expr: &'ast syn::ExprBlock) {
        // `break 'label` may leave a labeled block, not a plain `break`.
        let label = expr.label.as_ref().map(|l| l.name.ident.to_string());
        let labeled = label.is_some();
        self.labels.extend(label);
        syn::visit::visit_expr_block(self, expr);
        if labeled {
            self.labels.pop();
        }
    }

    fn visit_expr_break(&mut self, expr: &'ast syn::ExprBreak) {
        self.leaves(&expr.break_token, expr.label.as_ref(), "break");
        syn::visit::visit_expr_break(self, expr);
    }

    fn visit_expr_continue(&mut self, expr: &'ast syn::ExprContinue) {
        self.leaves(&expr.continue_token, expr.label.as_ref(), "continue");
    }

    fn visit_expr_await(&mut self, expr: &'ast syn::ExprAwait) {
        self.errors.push(Error::new_spanned(
            expr.await_token,
            "`.await` cannot run in a `blink_scope!` body: the body is a plain closure, and the \
             frame belongs to this thread until the body returns. Await before or after the \
             macro, or give the async task a `Blink` of its own",
        ));
        syn::visit::visit_expr_await(self, expr);
    }

    fn visit_expr_return(&mut self, expr: &'ast syn::ExprReturn) {
        if let Some(value) = &expr.expr {
            self.check_returned(value);
        }
        syn::visit::visit_expr_return(self, expr);
    }

    fn visit_expr_try(&mut self, expr: &'ast syn::ExprTry) {
        self.first_try.get_or_insert(expr.question_token.span());
        syn::visit::visit_expr_try(self, expr);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let method = call.method.to_string();
        if (method == "put_in" || method == "try_put_in")
            && call.args.len() == 1
            && self.is_param(&call.args[0])
        {
            let param = self.param.expect("is_param");
            self.errors.push(Error::new_spanned(
                &call.args[0],
                format!(
                    "`{method}` takes a `&Blink`, and `{param}` is a `blink_scope!` frame: \
                     deep-copy into the frame with `{param}.copy_deep(&value)` (or \
                     `{param}.try_copy_deep(&value)`); `{param}.copy_str(..)` and \
                     `{param}.copy_slice(..)` copy flat data"
                ),
            ));
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}
