
gen-order-closed-0001tm-demo€ºÕÂœ4 €ØÁ¢Œ4*genericR

T1001€€È¾ÍŸ4