
gen-order-shipped-0001own-demo€ºÕÂœ4 €ØÁ¢Œ4*genericR(	
T1001
SFSF1234567890À±§õœ4