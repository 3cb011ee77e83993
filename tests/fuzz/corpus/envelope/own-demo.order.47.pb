
gen-order-signed-0001own-demo€ºÕÂœ4 €ØÁ¢Œ4*genericR	
T1001 €ÞÆÀ4